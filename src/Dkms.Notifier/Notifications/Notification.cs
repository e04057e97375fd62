namespace Dkms.Notifier.Notifications;

/// <summary>
/// A desktop notification to raise; <see cref="Key"/> names what it is about (for replaces_id). <see cref="Once"/>: the same
/// text is raised once per session, however often the daemon says it.
/// </summary>
internal sealed record Notification(string Key, string Summary, string Body, byte Urgency, bool Once = false)
{
    public const byte Normal = 1;
    public const byte Critical = 2;
}
