namespace Dkms.Protocol;

/// <summary>What both ends of the contract agree on without asking each other.</summary>
public static class DkmsContract
{
    /// <summary>Where dkmsd listens, and where dkmsctl looks, unless configured otherwise.</summary>
    public const string DefaultSocket = "/run/dkms/dkmsd.sock";

    /// <summary>The dkms release whose behaviour and output the engine reproduces (<c>GetInfo</c>, <c>dkmsctl -V</c>).</summary>
    public const string CompatibleDkmsVersion = Core.Actions.DkmsEngine.CompatibleDkmsVersion;
}
