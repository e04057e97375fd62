using System.Text;
using System.Text.Json;

namespace Dkms.Core.Status;

/// <summary>Status as JSON (written by hand: no reflection, so it works under Native AOT).</summary>
public static class StatusJson
{
    public static string Write(IEnumerable<StatusEntry> entries)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var e in entries)
            {
                w.WriteStartObject();
                w.WriteString("module", e.Module);
                w.WriteString("version", e.Version);
                if (e.Kernel is not null)
                {
                    w.WriteString("kernel", e.Kernel);
                    w.WriteString("arch", e.Arch);
                }

                w.WriteString("state", StatusEntry.StateName(e.State));
                w.WriteStartArray("notes");
                foreach (var s in e.Suffixes)
                {
                    w.WriteStringValue(s.Trim('(', ')'));
                }

                w.WriteEndArray();
                if (e.ContentKey is not null)
                {
                    w.WriteString("content_key", e.ContentKey);
                    w.WriteString("origin", e.Origin);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
