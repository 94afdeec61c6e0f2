// The released versions of the suite, each with the contract it checks: the
// SHA-256 of docs/CONTRACT.md as that release ships it (versions.json's
// `contract.version`). `proton-conformance verify` judges a bundle made by
// any of them whose contract is the one this installation checks; a version
// not listed here is refused. A release adds its line and none is removed;
// test/harness/releases.test.ts holds this installation's own version
// (package.json) to the list and its contract to docs/CONTRACT.md.

/** One released version of proton-conformance and the contract it certifies against. */
export interface Release {
  version: string;
  /** `sha256:` and the hex SHA-256 of its docs/CONTRACT.md (harness/run/invocation.ts contractVersion). */
  contract: string;
}

export const RELEASES: readonly Release[] = [
  { version: '0.1.0', contract: 'sha256:abada663fa1abb95868b3c298985b64b86c224629527567711f37ec14ef4ad84' },
];
