namespace Dkms.Daemon.DBus;

/// <summary>
/// One signal of <see cref="DBusNames.Interface"/>: its member, D-Bus signature and arguments
/// (string, int, bool or string[] only, matching the signature).
/// </summary>
internal sealed record DBusSignal(string Member, string Signature, IReadOnlyList<object> Args)
{
    public override string ToString() => $"{Member}({string.Join(", ", Args.Select(a => a is string[] s ? $"[{string.Join(",", s)}]" : a.ToString()))})";
}
