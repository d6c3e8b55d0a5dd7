/**
 * Enough of Bicep's grammar to read Sluice's templates without the Bicep compiler (which our machines cannot
 * reach): declarations (param, var, resource, module, output) and expressions (literals, interpolated strings,
 * objects, arrays, for-expressions, calls, member and index access, ternaries, unary and binary operators).
 * Type declarations, imports and user functions are skipped. The reader is strict where it matters: a construct it
 * does not understand is an error that names the file and line, never a silent gap in the check.
 */

import { BicepSyntaxError, INTERPOLATED_KEY, type StrToken, type Token } from './bicepTokens';

export { BicepSyntaxError, INTERPOLATED_KEY } from './bicepTokens';

export type Expr =
  | { t: 'str'; parts: (string | Expr)[] }
  | { t: 'num'; value: number }
  | { t: 'bool'; value: boolean }
  | { t: 'null' }
  | { t: 'id'; name: string }
  | { t: 'member'; obj: Expr; name: string }
  | { t: 'index'; obj: Expr; index: Expr }
  | { t: 'call'; name: string; args: Expr[] }
  | { t: 'obj'; entries: { key: string; value: Expr }[] }
  | { t: 'arr'; items: Expr[] }
  | { t: 'for'; item: string; index?: string; source: Expr; body: Expr; condition?: Expr }
  | { t: 'if'; condition: Expr; body: Expr }
  | { t: 'tern'; condition: Expr; then: Expr; else: Expr }
  | { t: 'bin'; op: string; left: Expr; right: Expr }
  | { t: 'un'; op: string; operand: Expr };


/** Recursive-descent parser over the tokens of one file (or of one interpolation). */
export class Parser {
  private pos = 0;
  /** Newlines are insignificant inside parentheses and significant inside objects and arrays. */
  private readonly modes: ('paren' | 'block')[] = ['block'];

  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
  ) {}

  fail(message: string, token = this.tokens[this.pos]): never {
    const line = token?.line ?? this.tokens[this.tokens.length - 1]?.line ?? 1;
    throw new BicepSyntaxError(this.file, line, message);
  }

  private skipNewlinesIfParen(): void {
    if (this.modes[this.modes.length - 1] !== 'paren') return;
    while (this.tokens[this.pos]?.k === 'nl') this.pos++;
  }

  peek(): Token | undefined {
    this.skipNewlinesIfParen();
    return this.tokens[this.pos];
  }

  next(): Token {
    const token = this.peek();
    if (!token) this.fail('unexpected end of file');
    this.pos++;
    return token!;
  }

  isP(v: string): boolean {
    const t = this.peek();
    return t?.k === 'p' && t.v === v;
  }

  isId(v?: string): boolean {
    const t = this.peek();
    return t?.k === 'id' && (v === undefined || t.v === v);
  }

  expectP(v: string): void {
    const t = this.next();
    if (t.k !== 'p' || t.v !== v) this.fail(`expected "${v}"`, t);
  }

  expectId(): string {
    const t = this.next();
    if (t.k !== 'id') this.fail('expected a name', t);
    return (t as { v: string }).v;
  }

  skipNewlines(): void {
    while (this.tokens[this.pos]?.k === 'nl') this.pos++;
  }

  atEnd(): boolean {
    this.skipNewlines();
    return this.pos >= this.tokens.length;
  }

  /** Skips tokens up to the end of the line, across balanced brackets (for `type`, `import`, `func`). */
  skipStatement(): void {
    let depth = 0;
    while (this.pos < this.tokens.length) {
      const t = this.tokens[this.pos];
      if (t.k === 'nl' && depth === 0) return;
      if (t.k === 'p' && ['{', '[', '('].includes(t.v)) depth++;
      if (t.k === 'p' && ['}', ']', ')'].includes(t.v)) depth--;
      this.pos++;
    }
  }

  private withMode<T>(mode: 'paren' | 'block', fn: () => T): T {
    this.modes.push(mode);
    try {
      return fn();
    } finally {
      this.modes.pop();
    }
  }

  expression(): Expr {
    const condition = this.binary(0);
    if (!this.isP('?')) return condition;
    this.next();
    const then = this.expression();
    this.expectP(':');
    return { t: 'tern', condition, then, else: this.expression() };
  }

  private static readonly LEVELS = [['??'], ['||'], ['&&'], ['==', '!='], ['<', '>', '<=', '>='], ['+', '-'], ['*', '/', '%']];

  private binary(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t?.k !== 'p' || !Parser.LEVELS[level].includes(t.v)) return left;
      this.next();
      left = { t: 'bin', op: t.v, left, right: this.binary(level + 1) };
    }
  }

  private unary(): Expr {
    if (this.isP('!') || this.isP('-')) {
      const op = (this.next() as { v: string }).v;
      return { t: 'un', op, operand: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private postfix(expr: Expr): Expr {
    for (;;) {
      if (this.isP('.') || this.isP('.?')) {
        this.next();
        expr = { t: 'member', obj: expr, name: this.expectId() };
      } else if (this.isP('[')) {
        this.next();
        if (this.isP('?')) this.next();
        const index = this.withMode('paren', () => this.expression());
        this.withMode('paren', () => this.expectP(']'));
        expr = { t: 'index', obj: expr, index };
      } else if (this.isP('!')) {
        // Non-null assertion (`x!`) changes nothing for us.
        const after = this.tokens[this.pos + 1];
        if (after && after.k === 'p' && after.v === '=') return expr;
        this.next();
      } else {
        return expr;
      }
    }
  }

  private primary(): Expr {
    const t = this.next();
    if (t.k === 'str') return this.stringExpr(t);
    if (t.k === 'num') return { t: 'num', value: t.v };
    if (t.k === 'id') {
      if (t.v === 'true' || t.v === 'false') return { t: 'bool', value: t.v === 'true' };
      if (t.v === 'null') return { t: 'null' };
      if (this.isP('(')) return { t: 'call', name: t.v, args: this.callArguments() };
      if (this.isP('.')) {
        // Namespaced call such as sys.concat(…) or az.resourceGroup().
        const save = this.pos;
        this.next();
        const fn = this.peek();
        if (fn?.k === 'id' && (t.v === 'sys' || t.v === 'az')) {
          this.next();
          if (this.isP('(')) return { t: 'call', name: fn.v, args: this.callArguments() };
        }
        this.pos = save;
      }
      return { t: 'id', name: t.v };
    }
    if (t.k === 'p' && t.v === '(') {
      const inner = this.withMode('paren', () => {
        const e = this.expression();
        this.expectP(')');
        return e;
      });
      return inner;
    }
    if (t.k === 'p' && t.v === '{') return this.objectRest();
    if (t.k === 'p' && t.v === '[') return this.arrayRest();
    return this.fail(`unexpected ${t.k === 'p' ? `"${t.v}"` : 'token'}`, t);
  }

  private callArguments(): Expr[] {
    return this.withMode('paren', () => {
      this.expectP('(');
      const args: Expr[] = [];
      while (!this.isP(')')) {
        args.push(this.expression());
        if (!this.isP(')')) this.expectP(',');
      }
      this.expectP(')');
      return args;
    });
  }

  private stringExpr(t: StrToken): Expr {
    return {
      t: 'str',
      parts: t.parts.map((p) => {
        if (typeof p === 'string') return p;
        const inner = new Parser(p, this.file);
        const e = inner.withMode('paren', () => inner.expression());
        if (!inner.atEnd()) inner.fail('unexpected text in ${…}');
        return e;
      }),
    };
  }

  /** After `{`: members separated by newlines or commas. */
  private objectRest(): Expr {
    return this.withMode('block', () => {
      const entries: { key: string; value: Expr }[] = [];
      for (;;) {
        this.skipNewlines();
        if (this.isP('}')) break;
        const k = this.next();
        const literalKey =
          k.k === 'id' ? k.v : k.k === 'str' && k.parts.every((p) => typeof p === 'string') ? k.parts.join('') : null;
        if (literalKey === null && k.k !== 'str') this.fail('expected a property name', k);
        this.expectP(':');
        const value = this.expression();
        if (literalKey !== null) entries.push({ key: literalKey, value });
        // An interpolated key (`'${identityId}': {}`) keeps its expression: INTERPOLATED_KEY + [key, value].
        else entries.push({ key: INTERPOLATED_KEY, value: { t: 'arr', items: [this.stringExpr(k as StrToken), value] } });
        if (this.isP(',')) this.next();
        else if (!this.isP('}') && this.peek()?.k !== 'nl') this.fail('expected a newline or "," after a property');
      }
      this.expectP('}');
      return { t: 'obj', entries };
    });
  }

  /** After `[`: a for-expression or items separated by newlines or commas. */
  private arrayRest(): Expr {
    return this.withMode('block', () => {
      this.skipNewlines();
      if (this.isId('for')) {
        this.next();
        let item: string;
        let index: string | undefined;
        if (this.isP('(')) {
          this.next();
          item = this.expectId();
          this.expectP(',');
          index = this.expectId();
          this.expectP(')');
        } else {
          item = this.expectId();
        }
        if (!this.isId('in')) this.fail('expected "in" in a for-expression');
        this.next();
        const source = this.expression();
        this.expectP(':');
        this.skipNewlines();
        let condition: Expr | undefined;
        if (this.isId('if')) {
          this.next();
          condition = this.withMode('paren', () => {
            this.expectP('(');
            const c = this.expression();
            this.expectP(')');
            return c;
          });
        }
        const body = this.expression();
        this.skipNewlines();
        this.expectP(']');
        return { t: 'for', item, index, source, body, condition };
      }
      const items: Expr[] = [];
      for (;;) {
        this.skipNewlines();
        if (this.isP(']')) break;
        items.push(this.expression());
        if (this.isP(',')) this.next();
        else if (!this.isP(']') && this.peek()?.k !== 'nl') this.fail('expected a newline or "," after an item');
      }
      this.expectP(']');
      return { t: 'arr', items };
    });
  }

  /** The value of a resource or module: `{…}`, `if (cond) {…}` or `[for …]`. */
  declarationValue(): Expr {
    if (this.isId('if')) {
      this.next();
      const condition = this.withMode('paren', () => {
        this.expectP('(');
        const c = this.expression();
        this.expectP(')');
        return c;
      });
      return { t: 'if', condition, body: this.expression() };
    }
    return this.expression();
  }

  skipDecorator(): void {
    this.expectP('@');
    this.expectId();
    if (this.isP('.')) {
      this.next();
      this.expectId();
    }
    if (this.isP('(')) this.callArguments();
  }
}

