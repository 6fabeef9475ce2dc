import { AsyncAPIDocumentInterface, Diagnostic, DiagnosticSeverity, Input, Parser } from '@asyncapi/parser';

const describeDiagnostic = (d: Diagnostic) => `${d.code} at ${d.path.join('.')}: ${d.message}`;

/** Parses as an integrator's tooling would; warnings are printed, errors returned for the test to assert on. */
export const parseAsyncApi = async (input: unknown): Promise<{ document?: AsyncAPIDocumentInterface; errors: string[] }> => {
  const { document, diagnostics } = await new Parser().parse(input as Input);
  const warnings = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning).map(describeDiagnostic);
  if (warnings.length > 0) console.warn(`AsyncAPI warnings:\n${warnings.join('\n')}`);
  return { document, errors: diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map(describeDiagnostic) };
};
