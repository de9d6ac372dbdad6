-- CreateTable
CREATE TABLE "order_tombstones" (
    "order_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_tombstones_pkey" PRIMARY KEY ("order_id")
);
