namespace Dkms.Package.Tests.Flows;

/// <summary>How much of a step must be the same under dkmsd as under dkms.</summary>
internal enum Comparison
{
    /// <summary>Exit code, status lines and installed .ko files.</summary>
    Full,

    /// <summary>Only the exit code (what the step leaves behind depends on timing, e.g. a killed dpkg).</summary>
    ExitCode,

    /// <summary>Nothing: the step is provider-specific (stopping a daemon that only one of them has).</summary>
    None,
}
