import { describe, expect, it } from 'vitest';
import { CspEvaluator } from 'csp_evaluator/dist/evaluator.js';
import { Severity } from 'csp_evaluator/dist/finding.js';
import { CspParser } from 'csp_evaluator/dist/parser.js';
import { RENDERER_CSP } from './content-security-policy.js';

const policy = new CspParser(RENDERER_CSP).csp;

describe("the renderer's Content Security Policy", () => {
  it('runs only our own scripts: no inline script, no eval, no plugin, no base or form target, no framing', () => {
    expect(policy.directives).toMatchObject({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
    for (const [directive, values] of Object.entries(policy.directives)) {
      expect(values, directive).not.toContain("'unsafe-eval'");
      if (directive !== 'style-src') expect(values, directive).not.toContain("'unsafe-inline'");
      expect(values, directive).not.toContain('*');
    }
  });

  it("passes Google's CSP Evaluator; its one caution, 'self' in script-src, does not apply (we serve no JSONP, no AngularJS, no uploads)", () => {
    const findings = new CspEvaluator(policy).evaluate().map((f) => ({ directive: f.directive, value: f.value, severity: f.severity }));
    expect(findings).toEqual([{ directive: 'script-src', value: "'self'", severity: Severity.MEDIUM_MAYBE }]);
  });
});
