namespace Dkms.Notifier.Notifications;

/// <summary>
/// Decides which signals become notifications, and coalesces repeats: the same text about the same job or
/// kernel within <see cref="Window"/> is raised once, and a newer notification about the same thing replaces
/// the older one on screen (its replaces_id).
/// </summary>
internal sealed class NotificationPlanner(TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, (string Text, DateTimeOffset At)> _recent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, uint> _ids = new(StringComparer.Ordinal);

    /// <summary>The notification for <paramref name="signal"/>, or null (not interesting, or a repeat).</summary>
    public Notification? Plan(DkmsSignal signal)
    {
        var n = Describe(signal);
        if (n is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var text = n.Summary + "\n" + n.Body;
        if (_recent.TryGetValue(n.Key, out var last) && last.Text == text && (n.Once || now - last.At < Window))
        {
            return null;
        }

        _recent[n.Key] = (text, now);
        return n;
    }

    /// <summary>The id to replace for <paramref name="key"/> (0: a new notification).</summary>
    public uint ReplacesId(string key) => _ids.GetValueOrDefault(key);

    public void Shown(string key, uint id) => _ids[key] = id;

    /// <summary>The notification server went away: its ids mean nothing to the next one.</summary>
    public void ServerRestarted() => _ids.Clear();

    public static Notification? Describe(DkmsSignal s)
    {
        switch (s.Member)
        {
            case "JobFinished" when s.S(6) == "failed":
                var (module, version, kernel, arch) = (s.S(2), s.S(3), s.S(4), s.S(5));
                var body = s.S(8).Length > 0 ? s.S(8) : $"dkms exit code {(s.Args.Count > 7 ? s.Args[7] : "?")}";
                if (s.S(9).Length > 0)
                {
                    body += $"\nLog: {s.S(9)}";
                }

                return new Notification($"job:{module}/{version}/{kernel}/{arch}", $"DKMS: {module} {version} failed to {s.S(1)} for kernel {kernel}",
                    body, Notification.Critical);
            case "KernelSettled" when s.Args.Count > 2 && s.Args[2] is true:
                return new Notification($"kernel:{s.S(0)}", $"DKMS: kernel {s.S(0)} is ready",
                    "Every DKMS module is built and installed for it: safe to reboot.", Notification.Normal);
            case "KernelSettled":
                var failed = s.Args.Count > 3 && s.Args[3] is string[] f ? f : [];
                return new Notification($"kernel:{s.S(0)}", $"DKMS: modules failed for kernel {s.S(0)}",
                    $"Not ready: {string.Join(", ", failed)}. Booting it would leave these modules missing.", Notification.Critical);
            case "SigningKeyNotEnrolled" when s.S(1).Length > 0:
                return new Notification($"signing:{s.S(0)}", "DKMS: the kernel will refuse the new modules", s.S(1), Notification.Critical, Once: true);
            default:
                return null;
        }
    }
}
