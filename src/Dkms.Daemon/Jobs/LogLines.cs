using System.Text;
using Dkms.Core.Processes;

namespace Dkms.Daemon.Jobs;

/// <summary>
/// A log file read line by line at '\n' without holding more than one line, each cut at
/// <see cref="ProcessRunner.MaxLineChars"/> with a "[… N bytes cut …]" marker (a log with no newline is not one string).
/// </summary>
internal static class LogLines
{
    /// <summary>The lines of <paramref name="path"/>; the last one without a newline has <c>NoNewline</c>. Nothing when it cannot be read.</summary>
    public static IEnumerable<(string Text, bool NoNewline)> Read(string path)
    {
        StreamReader reader;
        try
        {
            reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        using (reader)
        {
            var buffer = new char[16 * 1024];
            var line = new StringBuilder();
            long cut = 0;
            var any = false;
            while (true)
            {
                int n;
                try
                {
                    n = reader.Read(buffer, 0, buffer.Length);
                }
                catch (IOException)
                {
                    n = 0;
                }

                if (n == 0)
                {
                    break;
                }

                var start = 0;
                for (var i = 0; i <= n; i++)
                {
                    if (i < n && buffer[i] != '\n')
                    {
                        continue;
                    }

                    var chunk = buffer.AsSpan(start, i - start);
                    var room = Math.Max(0, ProcessRunner.MaxLineChars - line.Length);
                    line.Append(chunk[..Math.Min(room, chunk.Length)]);
                    if (chunk.Length > room)
                    {
                        cut += Encoding.UTF8.GetByteCount(chunk[room..]);
                    }

                    any = any || chunk.Length > 0;
                    if (i < n)
                    {
                        yield return (Text(line, cut), false);
                        line.Clear();
                        cut = 0;
                        any = false;
                    }

                    start = i + 1;
                }
            }

            if (any)
            {
                yield return (Text(line, cut), true);
            }
        }
    }

    private static string Text(StringBuilder line, long cut) =>
        cut > 0 ? line + " " + ProcessRunner.CutMarker(cut) : line.ToString();
}
