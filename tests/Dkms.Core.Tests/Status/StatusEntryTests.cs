using Dkms.Core.Status;

namespace Dkms.Core.Tests.Status;

public sealed class StatusEntryTests
{
    [Fact]
    public void ToLine_Added_DkmsFormat() =>
        Assert.Equal("hello/1.0: added", new StatusEntry("hello", "1.0", null, null, ModuleState.Added, []).ToLine());

    [Fact]
    public void ToLine_BuiltAndInstalled_DkmsFormatWithSuffixes()
    {
        Assert.Equal("hello/1.0, 6.1.0-56-amd64, x86_64: built",
            new StatusEntry("hello", "1.0", "6.1.0-56-amd64", "x86_64", ModuleState.Built, []).ToLine());
        Assert.Equal("hello/1.0, 6.1.0-56-amd64, x86_64: installed (original_module exists) (WARNING! Diff between built and installed module!)",
            new StatusEntry("hello", "1.0", "6.1.0-56-amd64", "x86_64", ModuleState.Installed,
                ["(original_module exists)", "(WARNING! Diff between built and installed module!)"]).ToLine());
    }

    [Fact]
    public void ToLine_Broken_UpstreamFormat() =>
        Assert.Equal("hello/1.0: broken", new StatusEntry("hello", "1.0", null, null, ModuleState.Broken, []).ToLine());

    [Fact]
    public void Write_Json_HasFieldsAndNotes()
    {
        var json = StatusJson.Write(
        [
            new StatusEntry("a", "1", null, null, ModuleState.Added, []),
            new StatusEntry("b", "2", "6.1.0-56-amd64", "x86_64", ModuleState.Installed, ["(original_module exists)"]),
        ]);

        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var items = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal("added", items[0].GetProperty("state").GetString());
        Assert.False(items[0].TryGetProperty("kernel", out _));
        Assert.Equal("6.1.0-56-amd64", items[1].GetProperty("kernel").GetString());
        Assert.Equal("original_module exists", items[1].GetProperty("notes")[0].GetString());
    }
}
