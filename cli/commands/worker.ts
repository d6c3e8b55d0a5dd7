import { EXIT } from '../errors';

// Being written (see the open issue); registered now so parallel work does not collide in cli/main.ts.
export async function worker(_argv: string[]): Promise<number> {
  console.error('sluice worker: not available yet');
  return EXIT.failed;
}
