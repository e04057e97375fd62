namespace Dkms.Notifier.Notifications;

/// <summary>One signal of org.dkmsd.Daemon1 as received: its member and arguments (string, int, bool, string[]).</summary>
internal sealed record DkmsSignal(string Member, IReadOnlyList<object> Args)
{
    public string S(int i) => i < Args.Count && Args[i] is string s ? s : string.Empty;
}
