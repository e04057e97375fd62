namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>A small out-of-tree kernel module written for a test: C source, Makefile and dkms.conf.</summary>
internal sealed class ModuleSource
{
    public ModuleSource(string dir, string name, string version)
    {
        Dir = dir;
        Name = name;
        Version = version;
        Directory.CreateDirectory(dir);
        CSource(name, version);
        File.WriteAllText(Path.Combine(dir, "Makefile"), $"obj-m := {name}.o\n");
        Conf(string.Empty);
    }

    public string Dir { get; }

    public string Name { get; }

    public string Version { get; }

    public string Ref => $"{Name}/{Version}";

    /// <summary>Writes <c>&lt;name&gt;.c</c>, a module that loads and unloads, with MODULE_VERSION.</summary>
    public ModuleSource CSource(string file, string moduleVersion, string body = "")
    {
        File.WriteAllText(Path.Combine(Dir, file + ".c"), $$"""
            #include <linux/module.h>
            MODULE_LICENSE("GPL");
            MODULE_DESCRIPTION("dkmsd test module {{file}}");
            MODULE_VERSION("{{moduleVersion}}");
            {{body}}
            static int __init t_init(void) { return 0; }
            static void __exit t_exit(void) { }
            module_init(t_init);
            module_exit(t_exit);

            """);
        return this;
    }

    /// <summary>Writes dkms.conf: the package lines, one module record, then <paramref name="extra"/>.</summary>
    public ModuleSource Conf(string extra, bool record = true)
    {
        var text = $"PACKAGE_NAME=\"{Name}\"\nPACKAGE_VERSION=\"{Version}\"\n";
        if (record)
        {
            text += $"BUILT_MODULE_NAME[0]=\"{Name}\"\nDEST_MODULE_LOCATION[0]=\"/kernel/extra\"\nAUTOINSTALL=\"yes\"\n";
        }

        File.WriteAllText(Path.Combine(Dir, "dkms.conf"), text + extra + "\n");
        return this;
    }

    public ModuleSource Makefile(string text)
    {
        File.WriteAllText(Path.Combine(Dir, "Makefile"), text);
        return this;
    }

    public ModuleSource File_(string relative, string content, bool executable = false)
    {
        var path = Path.Combine(Dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (executable)
        {
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
        }

        return this;
    }
}
