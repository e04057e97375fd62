namespace Dkms.Conformance.Tests.Corpus;

/// <summary>One Debian <c>*-dkms</c> package of the corpus and what the reference dkms does with it.</summary>
/// <param name="Package">The Debian package name, fetched with <c>apt-get download</c>.</param>
/// <param name="Module">PACKAGE_NAME from its dkms.conf.</param>
/// <param name="Version">PACKAGE_VERSION from its dkms.conf.</param>
/// <param name="Outcome">The result of <c>dkms install</c> against this machine's headers.</param>
/// <param name="KernelModules">The .ko names (without extension) it builds, when it builds.</param>
/// <param name="Note">Why the outcome differs from CORPUS.md, if it does.</param>
internal sealed record CorpusPackage(string Package, string Module, string Version, ExpectedOutcome Outcome,
    IReadOnlyList<string> KernelModules, string? Note = null)
{
    public bool MayBuild => Outcome is ExpectedOutcome.Builds or ExpectedOutcome.BuildsOrFailsToCompile;

    public bool MayFail => Outcome is ExpectedOutcome.FailsToCompile or ExpectedOutcome.BuildsOrFailsToCompile;
}
