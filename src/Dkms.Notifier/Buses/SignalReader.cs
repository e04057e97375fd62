using Dkms.Notifier.Notifications;
using Tmds.DBus.Protocol;

namespace Dkms.Notifier.Buses;

/// <summary>Reads a signal body by its signature (only the types org.dkmsd.Daemon1 uses).</summary>
internal static class SignalReader
{
    public static DkmsSignal Read(Message m)
    {
        var r = m.GetBodyReader();
        var args = new List<object>();
        var sig = m.SignatureAsString ?? string.Empty;
        for (var i = 0; i < sig.Length; i++)
        {
            switch (sig[i])
            {
                case 's':
                    args.Add(r.ReadString());
                    break;
                case 'i':
                    args.Add(r.ReadInt32());
                    break;
                case 'u':
                    args.Add(r.ReadUInt32());
                    break;
                case 'b':
                    args.Add(r.ReadBool());
                    break;
                case 'a' when i + 1 < sig.Length && sig[i + 1] == 's':
                    args.Add(r.ReadArrayOfString());
                    i++;
                    break;
                default:
                    return new DkmsSignal(m.MemberAsString ?? string.Empty, args); // a newer daemon: keep what we understand
            }
        }

        return new DkmsSignal(m.MemberAsString ?? string.Empty, args);
    }
}
