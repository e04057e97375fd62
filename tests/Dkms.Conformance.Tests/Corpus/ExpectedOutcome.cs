namespace Dkms.Conformance.Tests.Corpus;

/// <summary>What building a corpus package against the machine's headers is known to do.</summary>
internal enum ExpectedOutcome
{
    /// <summary>Builds and installs: exit 0, status <c>installed</c>.</summary>
    Builds,

    /// <summary>The source does not compile against these headers: exit 10, status <c>added</c>.</summary>
    FailsToCompile,

    /// <summary>Either, depending on the headers' stable release (known drift, see <see cref="CorpusPackage.Note"/>).</summary>
    BuildsOrFailsToCompile,
}
