// A diff view's choices as the URL keeps them (?view=inline,nowrap): plain, for server and client alike.

export interface DiffViewChoice {
  inline: boolean;
  wrap: boolean;
}

/** Reads "inline"/"split" and "wrap"/"nowrap" from a comma list; what it does not say stays the default. */
export function parseDiffView(value: string | string[] | undefined, defaults: DiffViewChoice): DiffViewChoice {
  const words = typeof value === "string" ? value.split(",") : [];
  const pick = (on: string, off: string, fallback: boolean) =>
    words.includes(on) ? true : words.includes(off) ? false : fallback;
  return { inline: pick("inline", "split", defaults.inline), wrap: pick("wrap", "nowrap", defaults.wrap) };
}
