// The CLI's entry point: parses the command, runs it, turns errors into one clear line.
import { StudioError } from "../errors.ts";
import { commands, helpText, wrap } from "./commands.ts";

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(helpText());
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`studio: unknown command "${name}"\n\n${helpText()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(
      `${command.usage
        .split("\n")
        .flatMap((usage) => wrap(usage, 0, 2))
        .join("\n")}\n\n${wrap(command.summary, 0, 0).join("\n")}\n`,
    );
    return 0;
  }
  try {
    return (await command.run(rest)) ?? 0;
  } catch (error) {
    reportError(error);
    return 1;
  }
}

export function reportError(error: unknown): void {
  if (error instanceof StudioError) {
    process.stderr.write(`studio: ${error.message}\n${error.hint ? `  ${error.hint}\n` : ""}`);
  } else if (error instanceof Error && (error as NodeJS.ErrnoException).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    process.stderr.write(`studio: ${error.message}\n`);
  } else {
    process.stderr.write(`studio: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
}
