import { openDatabase, describeUrl } from "../db/database.ts";

export async function migrateCommand(_args: string[]): Promise<number> {
  const database = await openDatabase({ log: (line) => console.log(line), migrate: false });
  try {
    const { migrate } = await import("../db/migrate.ts");
    const applied = await migrate(database.url, (line) => console.log(line));
    console.log(
      applied.length
        ? `Applied ${applied.length} migration(s) to ${describeUrl(database.url)}.`
        : `Database ${describeUrl(database.url)} is up to date.`,
    );
    return 0;
  } finally {
    await database.close();
  }
}
