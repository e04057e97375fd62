using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

/// <summary>A module name and version, both validated as safe path components.</summary>
public sealed record ModuleRef
{
    public ModuleRef(string module, string version)
    {
        Module = NameValidator.Require(module, "module name");
        Version = NameValidator.Require(version, "module version");
    }

    public string Module { get; }

    public string Version { get; }

    public override string ToString() => $"{Module}/{Version}";
}
