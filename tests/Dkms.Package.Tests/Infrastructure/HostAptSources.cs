namespace Dkms.Package.Tests.Infrastructure;

/// <summary>
/// The host's apt sources in deb822 form (/etc/apt/sources.list.d/*.sources): the root is bootstrapped from the
/// same mirror, and each container gets the same files so apt inside uses it too.
/// </summary>
internal static class HostAptSources
{
    public const string Directory = "/etc/apt/sources.list.d";

    /// <summary>The host's .sources files, sorted.</summary>
    public static IReadOnlyList<string> Files() =>
        [.. System.IO.Directory.EnumerateFiles(Directory, "*.sources").Order(StringComparer.Ordinal)];

    /// <summary>Every enabled <c>deb</c> suite of every file, in file order.</summary>
    public static IReadOnlyList<AptSource> Read()
    {
        var sources = Files().SelectMany(f => Parse(File.ReadAllText(f))).ToList();
        return sources.Count > 0
            ? sources
            : throw new InvalidOperationException($"No enabled 'Types: deb' entry in {Directory}/*.sources.");
    }

    /// <summary>Parses one deb822 file: paragraphs split by blank lines, '#' comments, continuation lines.</summary>
    internal static IEnumerable<AptSource> Parse(string text)
    {
        foreach (var paragraph in Paragraphs(text))
        {
            if (!paragraph.TryGetValue("Types", out var types) || !types.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("deb")
                || (paragraph.TryGetValue("Enabled", out var enabled) && enabled.Equals("no", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var components = Words(paragraph.GetValueOrDefault("Components", "main"));
            foreach (var uri in Words(paragraph.GetValueOrDefault("URIs", string.Empty)))
            {
                foreach (var suite in Words(paragraph.GetValueOrDefault("Suites", string.Empty)))
                {
                    yield return new AptSource(uri, suite, components);
                }
            }
        }
    }

    private static string[] Words(string value) => value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    private static IEnumerable<Dictionary<string, string>> Paragraphs(string text)
    {
        var current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? lastKey = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith('#'))
            {
                continue;
            }

            if (line.Trim().Length == 0)
            {
                if (current.Count > 0)
                {
                    yield return current;
                    current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                }

                lastKey = null;
                continue;
            }

            if (char.IsWhiteSpace(line[0]) && lastKey is not null)
            {
                current[lastKey] += " " + line.Trim();
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                lastKey = line[..colon].Trim();
                current[lastKey] = line[(colon + 1)..].Trim();
            }
        }

        if (current.Count > 0)
        {
            yield return current;
        }
    }
}
