-- CreateTable
CREATE TABLE "order_tombstones" (
    "order_id" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
