/** Largest page any connection returns. */
export const MAX_PAGE_SIZE = 100;
/** Page size of a connection asked without `first` or `last`. */
export const DEFAULT_PAGE_SIZE = 20;
