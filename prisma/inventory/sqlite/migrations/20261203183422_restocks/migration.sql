-- CreateTable
CREATE TABLE "restocks" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "return_id" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "restock_items" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "restock_id" TEXT NOT NULL,
    "sku" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    CONSTRAINT "restock_items_restock_id_fkey" FOREIGN KEY ("restock_id") REFERENCES "restocks" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "restock_tombstones" (
    "return_id" TEXT NOT NULL PRIMARY KEY,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "restocks_return_id_key" ON "restocks"("return_id");

-- CreateIndex
CREATE INDEX "restocks_order_id_idx" ON "restocks"("order_id");

-- CreateIndex
CREATE UNIQUE INDEX "restock_items_restock_id_sku_key" ON "restock_items"("restock_id", "sku");
