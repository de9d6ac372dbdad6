-- CreateTable
CREATE TABLE "restocks" (
    "id" TEXT NOT NULL,
    "return_id" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "restocks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "restock_items" (
    "id" SERIAL NOT NULL,
    "restock_id" TEXT NOT NULL,
    "sku" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "restock_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "restock_tombstones" (
    "return_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "restock_tombstones_pkey" PRIMARY KEY ("return_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "restocks_return_id_key" ON "restocks"("return_id");

-- CreateIndex
CREATE INDEX "restocks_order_id_idx" ON "restocks"("order_id");

-- CreateIndex
CREATE UNIQUE INDEX "restock_items_restock_id_sku_key" ON "restock_items"("restock_id", "sku");

-- AddForeignKey
ALTER TABLE "restock_items" ADD CONSTRAINT "restock_items_restock_id_fkey" FOREIGN KEY ("restock_id") REFERENCES "restocks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
