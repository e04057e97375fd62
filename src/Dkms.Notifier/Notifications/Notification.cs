namespace Dkms.Notifier.Notifications;

/// <summary>A desktop notification to raise; <see cref="Key"/> names what it is about (for replaces_id).</summary>
internal sealed record Notification(string Key, string Summary, string Body, byte Urgency)
{
    public const byte Normal = 1;
    public const byte Critical = 2;
}
