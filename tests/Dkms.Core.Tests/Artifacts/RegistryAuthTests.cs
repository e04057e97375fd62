using System.Text;
using Dkms.Core.Artifacts;

namespace Dkms.Core.Tests.Artifacts;

/// <summary>artifact_auth's docker config.json and the registry's WWW-Authenticate challenge.</summary>
public sealed class RegistryAuthTests : IDisposable
{
    private static readonly Uri Registry = new("https://reg.example:5000/dkms");

    private readonly TempDir _dir = new();

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Theory]
    [InlineData("reg.example:5000")]
    [InlineData("https://reg.example:5000")]
    [InlineData("https://reg.example:5000/v2/")]
    [InlineData("REG.example:5000")]
    public void FindBasic_AuthField_ForTheRegistrysHostAndPort(string name)
    {
        var config = _dir.Write("config.json", "{\"auths\": {\"reg.example\": {\"auth\": \"" + B64("x:y") + "\"}, \"" + name + "\": {\"auth\": \"" + B64("u:p") + "\"}}}");

        Assert.Equal(B64("u:p"), RegistryAuth.FindBasic(config, Registry));
    }

    [Fact]
    public void FindBasic_UsernameAndPassword_EncodedAsBasic()
    {
        var config = _dir.Write("config.json", """{"auths": {"reg.example:5000": {"username": "builder", "password": "pa:ss"}}}""");

        Assert.Equal(B64("builder:pa:ss"), RegistryAuth.FindBasic(config, Registry));
    }

    [Theory]
    [InlineData("""{"auths": {"reg.example": {"auth": "dTpw"}}}""")] // another port
    [InlineData("""{"auths": {"other.example:5000": {"auth": "dTpw"}}}""")]
    [InlineData("""{"credsStore": "desktop"}""")]
    [InlineData("""{"auths": {"reg.example:5000": {}}}""")]
    public void FindBasic_NothingForTheRegistry_Null(string json) =>
        Assert.Null(RegistryAuth.FindBasic(_dir.Write("config.json", json), Registry));

    [Fact]
    public void ParseChallenge_QuotedValuesWithCommas_Kept()
    {
        var p = RegistryAuth.ParseChallenge("""realm="https://auth.example/token",service="registry.example",scope="repository:dkms/fleet:pull,push" """);

        Assert.Equal("https://auth.example/token", p["realm"]);
        Assert.Equal("registry.example", p["service"]);
        Assert.Equal("repository:dkms/fleet:pull,push", p["scope"]);
    }

    public void Dispose() => _dir.Dispose();
}
