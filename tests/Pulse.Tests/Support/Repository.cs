namespace Pulse.Tests.Support;

/// <summary>The checkout the tests were built from: the folder holding Pulse.slnx above the test assembly.</summary>
public static class Repository
{
    static readonly Lazy<string> RootPath = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Pulse.slnx")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("Pulse.slnx not found above " + AppContext.BaseDirectory);
    });

    public static string Root => RootPath.Value;

    /// <summary>The absolute path of <paramref name="relative"/> (with '/' separators) in the checkout.</summary>
    public static string Path(string relative) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, relative));

    /// <summary>The text of a file of the checkout, line ends as "\n".</summary>
    public static string Read(string relative) => File.ReadAllText(Path(relative)).ReplaceLineEndings("\n");
}
