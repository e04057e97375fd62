namespace Dkms.Cli.CommandLine;

/// <summary>One option of dkmsctl's grammar.</summary>
/// <param name="Name">The form dkms's usage shows (<c>-m</c>, <c>--force</c>).</param>
/// <param name="Aliases">Other spellings the parser takes for it.</param>
/// <param name="Value">What its value is (<c>module</c>, <c>path</c>, ...); null for a flag.</param>
/// <param name="Completes">What a shell may offer for the value.</param>
/// <param name="Help">One line for the man page.</param>
/// <param name="Origin">Whether dkms has it, only dkmsctl, or dkms accepts it only to warn.</param>
internal sealed record OptionSpec(string Name, string[] Aliases, string? Value, ValueCompletion Completes, string Help, OptionOrigin Origin)
{
    /// <summary>Every spelling, <see cref="Name"/> first.</summary>
    public IEnumerable<string> Spellings => [Name, .. Aliases];
}

/// <summary>Where an option comes from.</summary>
internal enum OptionOrigin
{
    /// <summary>dkms's own option, with dkms's meaning.</summary>
    Dkms,

    /// <summary>dkmsctl's addition (the daemon, JSON, its own verbs).</summary>
    Dkmsctl,

    /// <summary>Accepted, as dkms does, only to print a deprecation warning.</summary>
    Deprecated,
}

/// <summary>What a shell completes an option's value with.</summary>
internal enum ValueCompletion
{
    None,
    Module,
    Kernel,
    File,
    Directory,
}
