namespace Dkms.Core.Status;

/// <summary>The states <c>dkms status</c> reports.</summary>
public enum ModuleState
{
    Added,
    Built,
    Installed,
    /// <summary>The version directory exists but its source is gone (upstream 3.0.13+).</summary>
    Broken,
}
