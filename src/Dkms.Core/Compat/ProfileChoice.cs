namespace Dkms.Core.Compat;

/// <summary>A chosen profile and what chose it: <c>DKMS_COMPAT</c>, <c>dkms_compat</c> or <c>os-release</c>.</summary>
public sealed record ProfileChoice(DkmsProfile Profile, string Source)
{
    public override string ToString() => $"{Profile} from {Source}";
}
