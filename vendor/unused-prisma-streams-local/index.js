// Only `prisma dev` (Prisma's local Postgres) imports this; the studio runs its own Postgres.
export async function startLocalDurableStreamsServer() {
  throw new Error(
    "`prisma dev` is not part of Harness Studio: @prisma/streams-local is replaced by a stand-in (package.json overrides).",
  );
}
