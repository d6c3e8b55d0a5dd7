import { pipelineJsonSchema } from '../../sdk/checks';
import { CliUsageError, EXIT } from '../errors';

const HELP = `Usage: sluice schema

Prints the JSON Schema (draft 2020-12) of the pipeline spec on stdout. Save it and point your editor at it:
  sluice schema > pipeline.schema.json
  # first line of pipeline.yaml:
  # yaml-language-server: $schema=./pipeline.schema.json

The schema checks each field; references between fields (data producers, cycles, \${{...}} expressions) are
checked when a spec is submitted. See docs/pipeline-spec.md.`;

/** `sluice schema`: prints the JSON Schema generated from the spec's zod schema. */
export async function schema(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP);
    return EXIT.ok;
  }
  if (argv.length > 0)
    throw new CliUsageError(`schema takes no arguments (got "${argv.join(' ')}"); see sluice schema --help`);
  process.stdout.write(`${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`);
  return EXIT.ok;
}
