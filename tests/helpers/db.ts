// Points lib/db/client.ts at the test run's Postgres. Import first in integration tests.
import { inject } from "vitest";

process.env.DATABASE_URL = inject("databaseUrl");

export { db, disconnectDb } from "../../lib/db/client.ts";
