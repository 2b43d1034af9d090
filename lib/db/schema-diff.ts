// SQL that takes one schema state to another, computed offline by Prisma's WebAssembly
// schema engine (the native schema-engine binary is not needed). Used to write new
// migrations and to prove the migrated database has not drifted from schema.prisma.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { studioRoot } from "../paths.ts";
import { migrate } from "./migrate.ts";

export const schemaFile = path.join(studioRoot, "prisma", "schema.prisma");

type Engine = {
  diff(params: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
};

type Bindings = { SchemaEngine: { new (...args: never[]): unknown; new: (...args: unknown[]) => Promise<Engine> } };
let bindingsOnce: Promise<Bindings> | undefined;

/**
 * The package's entry imports the .wasm file as an ES module, which Node 20 cannot do:
 * instantiate it by hand with the generated bindings. Once per process: the bindings keep
 * module-level views of the instance's memory, so a second instance would corrupt them.
 */
function loadBindings(): Promise<Bindings> {
  bindingsOnce ??= (async () => {
    const require = createRequire(import.meta.url);
    const packageDir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
    const bindings = await import(path.join(packageDir, "schema_engine_bg.js"));
    const wasmModule = new WebAssembly.Module(fs.readFileSync(path.join(packageDir, "schema_engine_bg.wasm")));
    const instance = new WebAssembly.Instance(wasmModule, { "./schema_engine_bg.js": bindings });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    (globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY ??= {
      set_message: (message: string) => console.error(`schema engine panic: ${message}`),
    };
    return bindings as Bindings;
  })();
  return bindingsOnce;
}

/** Runs `work` with an engine connected to `url`, then frees the engine and its pool. */
async function withEngine<T>(url: string, schema: string, work: (engine: Engine) => Promise<T>): Promise<T> {
  const bindings = await loadBindings();
  const pool = catalogFriendlyPool(url);
  const adapter = bindMigrationAwareSqlAdapterFactory(withCharacterColumns(new PrismaPg(pool)));
  const engine = await bindings.SchemaEngine.new({ datamodels: [["schema.prisma", schema]] }, () => {}, adapter);
  try {
    return await work(engine);
  } finally {
    engine.free();
    await pool.end().catch(() => {});
  }
}

/**
 * The engine describes a database by reading pg_catalog, whose one-byte `"char"` columns
 * (OID 18) @prisma/adapter-pg does not map. Their values arrive as strings already, so
 * we report them as text (OID 25).
 */
function catalogFriendlyPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<pg.QueryResult>;
  (pool as { query: unknown }).query = async (...args: unknown[]) => {
    const result = await query(...args);
    const sql = typeof args[0] === "object" ? (args[0] as { text: string }).text : String(args[0]);
    const charColumns: number[] = [];
    result?.fields?.forEach((field, index) => {
      if (field.dataTypeID === 18) {
        field.dataTypeID = 25;
        charColumns.push(index);
      }
    });
    if (charColumns.length) charColumnsBySql.set(sql, charColumns);
    return result;
  };
  return pool;
}

const charColumnsBySql = new Map<string, number[]>();
const CHARACTER_COLUMN = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils

/** Reports the `"char"` columns noted above as Character, the type the describer expects. */
function withCharacterColumns(factory: PrismaPg): PrismaPg {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const queryRaw = adapter.queryRaw.bind(adapter);
    adapter.queryRaw = async (query) => {
      const result = await queryRaw(query);
      for (const index of charColumnsBySql.get(query.sql) ?? []) result.columnTypes[index] = CHARACTER_COLUMN as never;
      return result;
    };
    return adapter;
  };
  return factory;
}

const noFilters = { externalTables: [], externalEnums: [] };

/**
 * SQL from what prisma/migrations/ builds to schema.prisma. The migrations are replayed
 * into a scratch database on the server at `url` (our own runner, not the engine's shadow
 * database, so the same pool workaround applies to both sides).
 */
export async function diffMigrationsToSchema(url: string): Promise<string> {
  const scratch = `studio_migrations_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${scratch}`);
    const scratchUrl = new URL(url);
    scratchUrl.pathname = `/${scratch}`;
    await migrate(scratchUrl.toString());
    return await diffDatabaseToSchema(scratchUrl.toString());
  } finally {
    await admin.query(`drop database if exists ${scratch} with (force)`).catch(() => {});
    await admin.end();
  }
}

/** SQL from the live database at `url` to schema.prisma: empty when there is no drift. */
export async function diffDatabaseToSchema(url: string): Promise<string> {
  const schema = fs.readFileSync(schemaFile, "utf8");
  const files = [{ path: "schema.prisma", content: schema }];
  const result = await withEngine(url, schema, (engine) =>
    engine.diff({
      from: { tag: "schemaDatasource", files, configDir: studioRoot },
      to: { tag: "schemaDatamodel", files },
      script: true,
      exitCode: null,
      filters: noFilters,
    }),
  );
  return cleanScript(result.stdout);
}

function cleanScript(stdout: string | null): string {
  const script = (stdout ?? "").trim();
  return script === "-- This is an empty migration." ? "" : script;
}
