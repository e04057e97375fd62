namespace Dkms.Package.Tests.Infrastructure;

public sealed class HostAptSourcesTests
{
    [Fact]
    public void Parse_Deb822WithTwoParagraphs_OneSourcePerUriAndSuite()
    {
        // Arrange
        const string text = """
            Types: deb
            # http://snapshot.debian.org/archive/debian/20250520T000000Z
            URIs: http://deb.debian.org/debian
            Suites: bookworm bookworm-updates
            Components: main
            Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

            Types: deb deb-src
            URIs: http://deb.debian.org/debian-security
            Suites: bookworm-security
            Components: main contrib
            """;

        // Act
        var sources = HostAptSources.Parse(text).Select(s => s.ToOneLine()).ToList();

        // Assert
        Assert.Equal(
        [
            "deb http://deb.debian.org/debian bookworm main",
            "deb http://deb.debian.org/debian bookworm-updates main",
            "deb http://deb.debian.org/debian-security bookworm-security main contrib",
        ], sources);
    }

    [Fact]
    public void Parse_DisabledOrSourceOnlyParagraphs_Skipped()
    {
        // Arrange
        const string text = """
            Types: deb-src
            URIs: http://deb.debian.org/debian
            Suites: bookworm
            Components: main

            Types: deb
            URIs: http://example.org/debian
            Suites: bookworm
            Components: main
            Enabled: no
            """;

        // Act
        var sources = HostAptSources.Parse(text).ToList();

        // Assert
        Assert.Empty(sources);
    }
}
