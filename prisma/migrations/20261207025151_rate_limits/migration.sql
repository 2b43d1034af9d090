-- CreateTable
CREATE TABLE "RateLimit" (
    "key" TEXT NOT NULL,
    "rate" DOUBLE PRECISION NOT NULL,
    "burst" DOUBLE PRECISION NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "RateLimit_pkey" PRIMARY KEY ("key")
);
