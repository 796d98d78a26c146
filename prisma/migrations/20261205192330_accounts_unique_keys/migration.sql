-- DropForeignKey
ALTER TABLE "ProjectMembership" DROP CONSTRAINT "ProjectMembership_projectId_fkey";

-- DropForeignKey
ALTER TABLE "Resource" DROP CONSTRAINT "Resource_projectId_fkey";

-- DropForeignKey
ALTER TABLE "ResourceEvent" DROP CONSTRAINT "ResourceEvent_resourceId_fkey";

-- CreateIndex
CREATE UNIQUE INDEX "Project_id_accountId_key" ON "Project"("id", "accountId");

-- CreateIndex
CREATE UNIQUE INDEX "Resource_id_accountId_key" ON "Resource"("id", "accountId");

-- CreateIndex
CREATE INDEX "ResourceEvent_accountId_sequence_idx" ON "ResourceEvent"("accountId", "sequence");

-- AddForeignKey
ALTER TABLE "ProjectMembership" ADD CONSTRAINT "ProjectMembership_projectId_accountId_fkey" FOREIGN KEY ("projectId", "accountId") REFERENCES "Project"("id", "accountId") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Resource" ADD CONSTRAINT "Resource_projectId_accountId_fkey" FOREIGN KEY ("projectId", "accountId") REFERENCES "Project"("id", "accountId") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResourceEvent" ADD CONSTRAINT "ResourceEvent_resourceId_accountId_fkey" FOREIGN KEY ("resourceId", "accountId") REFERENCES "Resource"("id", "accountId") ON DELETE RESTRICT ON UPDATE CASCADE;
