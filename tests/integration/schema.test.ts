import { afterAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { diffDatabaseToSchema } from "../../lib/db/schema-diff.ts";
import { migrate } from "../../lib/db/migrate.ts";

afterAll(disconnectDb);

describe("migrations", () => {
  it("leave no drift between the database and schema.prisma", async () => {
    expect(await diffDatabaseToSchema(process.env.DATABASE_URL!)).toBe("");
  });

  it("are idempotent", async () => {
    expect(await migrate(process.env.DATABASE_URL!)).toEqual([]);
  });
});

describe("every model", () => {
  it("round-trips through Prisma Client", async () => {
    const project = await db.project.create({ data: { name: "round trip", settings: { concurrency: 2 } } });
    expect((await db.project.findUniqueOrThrow({ where: { id: project.id } })).settings).toEqual({ concurrency: 2 });
  });
});
