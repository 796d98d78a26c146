import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.js';

builder.scalarType('DateTime', {
  description: 'ISO-8601 timestamp in UTC.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString()),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string');
    return date;
  },
});

builder.scalarType('JSON', {
  description: 'Any JSON value: an object of kind-specific attributes, as DigitalOcean gives them (snake_case keys).',
  serialize: (value) => value,
  parseValue: (value) => value,
});

const DECIMAL = /^-?\d{1,12}(\.\d{1,2})?$/;

builder.scalarType('Decimal', {
  description: 'Money as a decimal string in the invoice currency ("12.34", "-21.04"); never a float.',
  serialize: (value) => (typeof value === 'string' ? value : value.toFixed(2)),
  parseValue: (value) => {
    if (typeof value !== 'string' || !DECIMAL.test(value)) throw new GraphQLError('Decimal must be a string like "12.34"');
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || !DECIMAL.test(ast.value)) throw new GraphQLError('Decimal must be a string like "12.34"');
    return ast.value;
  },
});
