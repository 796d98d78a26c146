-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Lifecycle" AS ENUM ('ACTIVE', 'MISSING', 'STALE');

-- CreateEnum
CREATE TYPE "TenantSource" AS ENUM ('PROJECT', 'MANUAL', 'FALLBACK', 'NONE');

-- CreateEnum
CREATE TYPE "ResourceKind" AS ENUM ('droplet', 'droplet_backup', 'snapshot', 'volume', 'dns_zone', 'floating_ip', 'firewall', 'load_balancer', 'spaces_bucket', 'managed_db', 'k8s_cluster', 'app', 'cdn_endpoint', 'vpc');

-- CreateEnum
CREATE TYPE "ResourceEventType" AS ENUM ('CREATED', 'STATUS_CHANGED', 'MISSED', 'STALE', 'REVIVED', 'TENANT_CHANGED', 'PROJECT_CHANGED');

-- CreateEnum
CREATE TYPE "SyncWorker" AS ENUM ('DROPLETS', 'DOMAINS', 'PROJECTS', 'VOLUMES', 'SNAPSHOTS', 'FLOATING_IPS', 'FIREWALLS', 'LOAD_BALANCERS', 'BACKUPS', 'DATABASES', 'KUBERNETES', 'APPS', 'CDN_ENDPOINTS', 'VPCS', 'INVOICES');

-- CreateEnum
CREATE TYPE "SyncRunStatus" AS ENUM ('RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "SyncTrigger" AS ENUM ('SCHEDULE', 'MANUAL', 'STARTUP');

-- CreateEnum
CREATE TYPE "InvoiceSource" AS ENUM ('API', 'CSV');

-- CreateEnum
CREATE TYPE "UnmatchedReason" AS ENUM ('TAX', 'CREDIT', 'ACCOUNT_LEVEL', 'RESOURCE_DESTROYED', 'AMBIGUOUS', 'NO_CANDIDATE', 'KIND_NOT_INVENTORIED');

-- CreateEnum
CREATE TYPE "MatchMethod" AS ENUM ('RESOURCE_UUID', 'RESOURCE_ID', 'NAME', 'PARENT_DROPLET_NAME', 'MANUAL');

-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('VIEWER', 'OPERATOR');

-- CreateTable
CREATE TABLE "CloudAccount" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "apiUrl" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CloudAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Tenant" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "isFallback" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Project" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "providerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "purpose" TEXT,
    "environment" TEXT,
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "tenantId" UUID,
    "lifecycle" "Lifecycle" NOT NULL DEFAULT 'ACTIVE',
    "missedSyncs" INTEGER NOT NULL DEFAULT 0,
    "staleSince" TIMESTAMP(3),
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "providerCreatedAt" TIMESTAMP(3),
    "providerUpdatedAt" TIMESTAMP(3),

    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProjectMembership" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "urn" TEXT NOT NULL,
    "urnType" TEXT NOT NULL,
    "kind" "ResourceKind",
    "providerId" TEXT NOT NULL,
    "assignedAt" TIMESTAMP(3),
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProjectMembership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Resource" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "kind" "ResourceKind" NOT NULL,
    "providerId" TEXT NOT NULL,
    "urn" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT,
    "region" TEXT,
    "attrs" JSONB NOT NULL DEFAULT '{}',
    "placeholder" BOOLEAN NOT NULL DEFAULT false,
    "parentUrn" TEXT,
    "projectId" UUID,
    "tenantId" UUID,
    "tenantSource" "TenantSource" NOT NULL DEFAULT 'NONE',
    "tenantReason" TEXT,
    "lifecycle" "Lifecycle" NOT NULL DEFAULT 'ACTIVE',
    "missedSyncs" INTEGER NOT NULL DEFAULT 0,
    "staleSince" TIMESTAMP(3),
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "providerCreatedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Resource_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResourceEvent" (
    "sequence" SERIAL NOT NULL,
    "accountId" UUID NOT NULL,
    "resourceId" UUID NOT NULL,
    "type" "ResourceEventType" NOT NULL,
    "kind" "ResourceKind" NOT NULL,
    "tenantId" UUID,
    "projectId" UUID,
    "from" TEXT,
    "to" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "syncRunId" UUID,
    "actor" TEXT,
    "reason" TEXT,

    CONSTRAINT "ResourceEvent_pkey" PRIMARY KEY ("sequence")
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "worker" "SyncWorker" NOT NULL,
    "status" "SyncRunStatus" NOT NULL DEFAULT 'RUNNING',
    "trigger" "SyncTrigger" NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "fetched" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "markedMissing" INTEGER NOT NULL DEFAULT 0,
    "markedStale" INTEGER NOT NULL DEFAULT 0,
    "revived" INTEGER NOT NULL DEFAULT 0,
    "apiRequests" INTEGER NOT NULL DEFAULT 0,
    "rateRemaining" INTEGER,
    "complete" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,

    CONSTRAINT "SyncRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Invoice" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "identity" TEXT NOT NULL,
    "providerUuid" TEXT,
    "invoiceNumber" TEXT,
    "period" TEXT NOT NULL,
    "amount" DECIMAL(14,2) NOT NULL,
    "source" "InvoiceSource" NOT NULL,
    "isPreview" BOOLEAN NOT NULL DEFAULT false,
    "contentHash" TEXT NOT NULL,
    "ingestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Invoice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InvoiceLine" (
    "id" UUID NOT NULL,
    "invoiceId" UUID NOT NULL,
    "lineKey" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "product" TEXT NOT NULL,
    "groupDescription" TEXT,
    "description" TEXT NOT NULL,
    "amount" DECIMAL(14,2) NOT NULL,
    "hours" DECIMAL(12,2),
    "startTime" TIMESTAMP(3),
    "endTime" TIMESTAMP(3),
    "projectName" TEXT,
    "category" TEXT,
    "resourceUuid" TEXT,
    "resourceProviderId" TEXT,
    "derivedKind" "ResourceKind",
    "unmatchedReason" "UnmatchedReason",
    "candidateIds" UUID[] DEFAULT ARRAY[]::UUID[],
    "manuallyUnmatched" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "InvoiceLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InvoiceMatch" (
    "id" UUID NOT NULL,
    "lineId" UUID NOT NULL,
    "resourceId" UUID NOT NULL,
    "method" "MatchMethod" NOT NULL,
    "manual" BOOLEAN NOT NULL DEFAULT false,
    "matchedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InvoiceMatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "tenantId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CloudAccount_slug_key" ON "CloudAccount"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Tenant_slug_key" ON "Tenant"("slug");

-- CreateIndex
CREATE INDEX "Project_tenantId_idx" ON "Project"("tenantId");

-- CreateIndex
CREATE INDEX "Project_accountId_name_idx" ON "Project"("accountId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Project_accountId_providerId_key" ON "Project"("accountId", "providerId");

-- CreateIndex
CREATE INDEX "ProjectMembership_accountId_kind_providerId_idx" ON "ProjectMembership"("accountId", "kind", "providerId");

-- CreateIndex
CREATE INDEX "ProjectMembership_projectId_idx" ON "ProjectMembership"("projectId");

-- CreateIndex
CREATE UNIQUE INDEX "ProjectMembership_accountId_urn_key" ON "ProjectMembership"("accountId", "urn");

-- CreateIndex
CREATE INDEX "Resource_accountId_urn_idx" ON "Resource"("accountId", "urn");

-- CreateIndex
CREATE INDEX "Resource_accountId_lifecycle_kind_idx" ON "Resource"("accountId", "lifecycle", "kind");

-- CreateIndex
CREATE INDEX "Resource_accountId_name_id_idx" ON "Resource"("accountId", "name", "id");

-- CreateIndex
CREATE INDEX "Resource_accountId_kind_name_id_idx" ON "Resource"("accountId", "kind", "name", "id");

-- CreateIndex
CREATE INDEX "Resource_accountId_lastSeenAt_id_idx" ON "Resource"("accountId", "lastSeenAt", "id");

-- CreateIndex
CREATE INDEX "Resource_accountId_firstSeenAt_id_idx" ON "Resource"("accountId", "firstSeenAt", "id");

-- CreateIndex
CREATE INDEX "Resource_tenantId_idx" ON "Resource"("tenantId");

-- CreateIndex
CREATE INDEX "Resource_projectId_idx" ON "Resource"("projectId");

-- CreateIndex
CREATE INDEX "Resource_accountId_parentUrn_idx" ON "Resource"("accountId", "parentUrn");

-- CreateIndex
CREATE UNIQUE INDEX "Resource_accountId_kind_providerId_key" ON "Resource"("accountId", "kind", "providerId");

-- CreateIndex
CREATE INDEX "ResourceEvent_resourceId_sequence_idx" ON "ResourceEvent"("resourceId", "sequence");

-- CreateIndex
CREATE INDEX "ResourceEvent_accountId_type_sequence_idx" ON "ResourceEvent"("accountId", "type", "sequence");

-- CreateIndex
CREATE INDEX "SyncRun_accountId_worker_startedAt_idx" ON "SyncRun"("accountId", "worker", "startedAt");

-- CreateIndex
CREATE INDEX "SyncRun_startedAt_idx" ON "SyncRun"("startedAt");

-- CreateIndex
CREATE INDEX "Invoice_accountId_period_idx" ON "Invoice"("accountId", "period");

-- CreateIndex
CREATE INDEX "Invoice_providerUuid_idx" ON "Invoice"("providerUuid");

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_accountId_identity_key" ON "Invoice"("accountId", "identity");

-- CreateIndex
CREATE INDEX "InvoiceLine_invoiceId_position_idx" ON "InvoiceLine"("invoiceId", "position");

-- CreateIndex
CREATE INDEX "InvoiceLine_invoiceId_unmatchedReason_idx" ON "InvoiceLine"("invoiceId", "unmatchedReason");

-- CreateIndex
CREATE UNIQUE INDEX "InvoiceLine_invoiceId_lineKey_key" ON "InvoiceLine"("invoiceId", "lineKey");

-- CreateIndex
CREATE UNIQUE INDEX "InvoiceMatch_lineId_key" ON "InvoiceMatch"("lineId");

-- CreateIndex
CREATE INDEX "InvoiceMatch_resourceId_idx" ON "InvoiceMatch"("resourceId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");

-- AddForeignKey
ALTER TABLE "Project" ADD CONSTRAINT "Project_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "CloudAccount"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Project" ADD CONSTRAINT "Project_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProjectMembership" ADD CONSTRAINT "ProjectMembership_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "CloudAccount"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProjectMembership" ADD CONSTRAINT "ProjectMembership_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Resource" ADD CONSTRAINT "Resource_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "CloudAccount"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Resource" ADD CONSTRAINT "Resource_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Resource" ADD CONSTRAINT "Resource_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResourceEvent" ADD CONSTRAINT "ResourceEvent_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "CloudAccount"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResourceEvent" ADD CONSTRAINT "ResourceEvent_resourceId_fkey" FOREIGN KEY ("resourceId") REFERENCES "Resource"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResourceEvent" ADD CONSTRAINT "ResourceEvent_syncRunId_fkey" FOREIGN KEY ("syncRunId") REFERENCES "SyncRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncRun" ADD CONSTRAINT "SyncRun_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "CloudAccount"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invoice" ADD CONSTRAINT "Invoice_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "CloudAccount"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceLine" ADD CONSTRAINT "InvoiceLine_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceMatch" ADD CONSTRAINT "InvoiceMatch_lineId_fkey" FOREIGN KEY ("lineId") REFERENCES "InvoiceLine"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceMatch" ADD CONSTRAINT "InvoiceMatch_resourceId_fkey" FOREIGN KEY ("resourceId") REFERENCES "Resource"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE SET NULL ON UPDATE CASCADE;
