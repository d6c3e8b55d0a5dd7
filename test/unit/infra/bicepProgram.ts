import { Parser, type Expr } from './bicepSyntax';
import { tokenize } from './bicepTokens';

/** The declarations of one Bicep file: what the evaluator instantiates. */
export interface Declaration {
  kind: 'resource' | 'module';
  symbol: string;
  /** `Microsoft.Web/sites@2024-04-01` for a resource, the relative file path for a module. */
  target: string;
  existing: boolean;
  /** The value after `=`: an object, `if (…) {…}` or a for-expression. */
  value: Expr;
  line: number;
}

export interface BicepProgram {
  file: string;
  params: Map<string, { defaultValue?: Expr; line: number }>;
  vars: Map<string, Expr>;
  declarations: Declaration[];
  outputs: Map<string, Expr>;
}

function literalString(parser: Parser, what: string): string {
  const t = parser.next();
  if (t.k !== 'str' || !t.parts.every((p) => typeof p === 'string')) parser.fail(`expected the ${what} as a string`, t);
  return (t as { parts: string[] }).parts.join('');
}

/** Parses one Bicep file into its declarations. */
export function parseBicep(source: string, file: string): BicepProgram {
  const parser = new Parser(tokenize(source, file), file);
  const program: BicepProgram = { file, params: new Map(), vars: new Map(), declarations: [], outputs: new Map() };
  while (!parser.atEnd()) {
    if (parser.isP('@')) {
      parser.skipDecorator();
      continue;
    }
    const keywordToken = parser.peek()!;
    const keyword = parser.expectId();
    const line = keywordToken.line;
    switch (keyword) {
      case 'targetScope':
        parser.expectP('=');
        parser.expression();
        break;
      case 'metadata': {
        parser.expectId();
        parser.expectP('=');
        parser.expression();
        break;
      }
      case 'param': {
        const name = parser.expectId();
        // The type runs up to `=` or the end of the line.
        while (!parser.isP('=') && parser.peek()?.k !== 'nl' && parser.peek()) parser.next();
        let defaultValue: Expr | undefined;
        if (parser.isP('=')) {
          parser.next();
          defaultValue = parser.expression();
        }
        program.params.set(name, { defaultValue, line });
        break;
      }
      case 'var': {
        const name = parser.expectId();
        parser.expectP('=');
        program.vars.set(name, parser.expression());
        break;
      }
      case 'resource':
      case 'module': {
        const symbol = parser.expectId();
        const target = literalString(parser, keyword === 'resource' ? 'resource type' : 'module path');
        const existing = parser.isId('existing');
        if (existing) parser.next();
        parser.expectP('=');
        program.declarations.push({ kind: keyword, symbol, target, existing, value: parser.declarationValue(), line });
        break;
      }
      case 'output': {
        const name = parser.expectId();
        while (!parser.isP('=') && parser.peek()) parser.next();
        parser.expectP('=');
        program.outputs.set(name, parser.declarationValue());
        break;
      }
      case 'type':
      case 'import':
      case 'func':
      case 'extension':
        parser.skipStatement();
        break;
      default:
        parser.fail(`unknown statement "${keyword}"`, keywordToken);
    }
    const after = parser.peek();
    if (after && after.k !== 'nl') parser.fail('expected the end of the line', after);
  }
  return program;
}
