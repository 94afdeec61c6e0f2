// Short column names for operations: the initials of the words
// (CreateEnvironmentTemplateVersion -> CETV), made unique with a digit when
// two operations share initials. The console prints the legend.

export function initials(operation: string): string {
  const words = operation.match(/[A-Z][a-z0-9]*/g) ?? [operation];
  return words.map((word) => word[0]).join('');
}

export function shortNames(operations: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const operation of operations) {
    if (names.has(operation)) continue;
    const base = initials(operation);
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}${n}`;
    used.add(name);
    names.set(operation, name);
  }
  return names;
}
