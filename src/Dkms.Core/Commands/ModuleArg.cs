namespace Dkms.Core.Commands;

/// <summary>A module/version as the command line or request gave it (either part may be empty); validated when the command runs.</summary>
public sealed record ModuleArg(string Name, string Version)
{
    /// <summary>True when both parts are given (dkms's check_module_args).</summary>
    public bool IsComplete => Name.Length > 0 && Version.Length > 0;
}
