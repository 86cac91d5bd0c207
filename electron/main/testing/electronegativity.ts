// Runs electronegativity, the Electron security scanner, over a folder and says which of its
// findings of medium or higher severity are not answered. Its command line breaks with the
// commander this project uses, so it is driven through its programmatic API.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);

interface RawIssue {
  id: string;
  file: string;
  location: { line: number; column: number };
  severity: { value: number; name: string };
  confidence: { name: string };
  description: string;
  manualReview: boolean;
}

export interface Finding {
  check: string;
  severity: string;
  confidence: string;
  /** Relative to the scanned folder; "N/A" for the whole-app (global) checks. */
  file: string;
  line: number;
  column: number;
  description: string;
}

type Run = (options: Record<string, unknown>) => Promise<{ issues: RawIssue[]; errors: { file: string; message: string; tolerable: boolean }[]; atomicChecks: number; globalChecks: number }>;

const MEDIUM = 2;

export function electronVersion(): string {
  return (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version;
}

/** The findings of medium or higher severity; those answered by an inline `eng-disable` comment are already left out by the scanner. */
export async function scanForFindings(input: string): Promise<{ findings: Finding[]; checks: number; parseErrors: string[] }> {
  const run = require('@doyensec/electronegativity') as Run;
  const log = console.log;
  console.log = () => {}; // it prints progress and network notices even when used as a library
  try {
    const result = await run({
      input,
      isRelative: true,
      electronVersionOverride: electronVersion(),
      severitySet: 'medium',
      // The one check that needs the network (Electron's release feed); these machines have none.
      excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    });
    return {
      checks: result.atomicChecks + result.globalChecks,
      parseErrors: result.errors.filter((error) => !error.tolerable).map((error) => `${error.file}: ${error.message}`),
      findings: result.issues
        .filter((issue) => issue.severity.value >= MEDIUM)
        .map((issue) => ({
          check: issue.id,
          severity: issue.severity.name,
          confidence: issue.confidence.name,
          file: issue.file,
          line: issue.location.line,
          column: issue.location.column,
          description: issue.description,
        })),
    };
  } finally {
    console.log = log;
  }
}

/** The scanner's own rule for an inline answer: `// eng-disable CHECK_ID` on the line it flags. */
export function answersCheck(sourceLine: string, check: string): boolean {
  const match = /(?:\/\*|\/\/)[ \t]*eng-disable[ \t]+([\w \t]+)/.exec(sourceLine);
  return !!match && match[1]!.trim().split(/[ \t]+/).includes(check);
}
