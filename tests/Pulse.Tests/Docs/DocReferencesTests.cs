using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pulse.Api.Eligibility;
using Pulse.Tests.Support;

namespace Pulse.Tests.Docs;

/// <summary>
/// The docs name only what exists. In README.md, CONTRIBUTING.md and docs/*.md every code span or
/// link that names a file of the repository, a C# type (or <c>Type.Member</c>) or a setting
/// (<c>Section:Key</c>) must name one that exists, and nothing may point outside the repository.
/// </summary>
public sealed class DocReferencesTests
{
    static readonly string[] TopLevel = [.. Directory.EnumerateFileSystemEntries(Repository.Root).Select(Path.GetFileName).OfType<string>()];

    static IEnumerable<string> Docs() =>
        new[] { "README.md", "CONTRIBUTING.md" }.Concat(Directory.EnumerateFiles(Repository.Path("docs"), "*.md")
            .Select(f => Path.GetRelativePath(Repository.Root, f).Replace('\\', '/')).Order(StringComparer.Ordinal));

    static IEnumerable<(int Line, string Span)> CodeSpans(string markdown)
    {
        var lines = markdown.Split('\n');
        var fenced = false;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }
            if (fenced)
                continue;
            foreach (Match span in Regex.Matches(lines[i], "`([^`\n]+)`"))
                yield return (i + 1, span.Groups[1].Value.Trim());
        }
    }

    static IEnumerable<(int Line, string Target)> Links(string markdown) =>
        markdown.Split('\n').SelectMany((line, i) => Regex.Matches(line, @"\]\((?<t>[^)\s]+)\)").Select(m => (i + 1, m.Groups["t"].Value)));

    [TestCaseSource(nameof(Docs))]
    public void Doc_NamesOnlyWhatExists(string doc)
    {
        var text = Repository.Read(doc);
        var folder = Path.GetDirectoryName(Repository.Path(doc))!;
        using (Assert.EnterMultipleScope())
        {
            foreach (var (line, target) in Links(text))
            {
                if (Regex.IsMatch(target, "^(https?:|mailto:|#)"))
                    continue;
                var file = Path.GetFullPath(Path.Combine(folder, target.Split('#')[0]));
                Assert.That(file.StartsWith(Repository.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal), Is.True, $"{doc}:{line}: link {target} points outside the repository");
                Assert.That(File.Exists(file) || Directory.Exists(file), Is.True, $"{doc}:{line}: link {target} names no file");
            }
            foreach (var (line, span) in CodeSpans(text))
            {
                if (RepositoryPath(span) is { } path)
                    Assert.That(PathExists(path), Is.True, $"{doc}:{line}: `{span}` names no file or folder of the repository");
                else if (Regex.IsMatch(span, @"^[\w.-]+\.(md|cs|csproj|props|json|js|sql|slnx|ps1|html|http)$"))
                    Assert.That(FileNames.Value.Contains(span), Is.True, $"{doc}:{line}: `{span}` names no file of the repository");
                else if (Regex.Match(span, @"^(--)?(?<s>[A-Z]\w*(?:(?::|__)[A-Z]\w*)+)$") is { Success: true } setting)
                    Assert.That(Settings.Value, Does.Contain(setting.Groups["s"].Value.Replace("__", ":", StringComparison.Ordinal)), $"{doc}:{line}: `{span}` is no setting of Pulse");
                else if (Regex.Match(span, @"^(?<t>[A-Z][A-Za-z0-9]*)(\.(?<m>[A-Z][A-Za-z0-9]*))?(\(\))?$") is { Success: true } name && IsCompound(name.Groups["t"].Value))
                    Assert.That(NameExists(name.Groups["t"].Value, name.Groups["m"].Value), Is.True, $"{doc}:{line}: `{span}` names no type or member");
            }
            foreach (var outside in OutsidePointers)
                Assert.That(text, Does.Not.Contain(outside), $"{doc} points outside the repository");
        }
    }

    /// <summary>Paths of the machine the project started on; written in pieces so this file does not name them itself.</summary>
    static readonly string[] OutsidePointers = ["DESIGN" + ".md", ".." + "/shared", "/" + "work" + "/"];

    [Test]
    public void NoFileOfTheRepository_CitesTheOldDesignDocument()
    {
        var citing = Directory.EnumerateFiles(Repository.Root, "*", SearchOption.AllDirectories)
            .Where(f => !Regex.IsMatch(f.Replace('\\', '/'), "/(bin|obj|\\.git|node_modules|TestResults)/") && Regex.IsMatch(f, @"\.(cs|md|js|html|json|csproj|props|sql|http|sh)$|/run$"))
            .Where(f => OutsidePointers.Any(p => File.ReadAllText(f).Contains(p, StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(Repository.Root, f));
        Assert.That(citing, Is.Empty, "the contract lives in docs/ (docs/eligibility.md, docs/api.md)");
    }

    /// <summary>The reason codes, in order, in both tables that list them.</summary>
    [TestCase("docs/eligibility.md")]
    [TestCase("docs/api.md")]
    public void ReasonTables_ListTheReasonCodesInTheirOrder(string doc)
    {
        var codes = Reasons.All.Where(r => r != Reasons.Eligible).ToList();
        var listed = Regex.Matches(Repository.Read(doc), @"^\|[^\n]*?`(?<r>[a-z_]+)`[^\n]*$", RegexOptions.Multiline)
            .Select(m => Regex.Matches(m.Value, "`([a-z_]+)`").Select(c => c.Groups[1].Value).FirstOrDefault(codes.Contains))
            .OfType<string>().Distinct().ToList();
        Assert.That(listed, Is.EqualTo(codes));
    }

    [TestCase("Uses `WriteQueue.Nope` here", false)]
    [TestCase("Uses `WriteQueue.ExecuteAsync` here", true)]
    [TestCase("Uses `NoSuchStore` here", false)]
    [TestCase("See `api/Storage/Nope.cs`", false)]
    [TestCase("See `api/Storage/Migrations/NNNN_name.sql`", true)]
    [TestCase("See `api/data/pulse.db`", true)]
    [TestCase("Set `Storage:NoSuchKey`", false)]
    [TestCase("Set `Storage__MaxBatchSize=256`", true)]
    public void Check_TellsMissingFromExisting(string line, bool exists)
    {
        var span = Regex.Match(line, "`([^`]+)`").Groups[1].Value.Split('=')[0];
        var found = RepositoryPath(span) is { } path ? PathExists(path)
            : Regex.Match(span, @"^(?<s>[A-Z]\w*(?:(?::|__)[A-Z]\w*)+)$") is { Success: true } s ? Settings.Value.Contains(s.Groups["s"].Value.Replace("__", ":", StringComparison.Ordinal))
            : Regex.Match(span, @"^(?<t>[A-Z][A-Za-z0-9]*)(\.(?<m>[A-Z][A-Za-z0-9]*))?$") is { Success: true } n && NameExists(n.Groups["t"].Value, n.Groups["m"].Value);
        Assert.That(found, Is.EqualTo(exists));
    }

    /// <summary>A span that reads as a path in the repository (its first segment is a top-level entry), or null.</summary>
    static string? RepositoryPath(string span)
    {
        if (span.Contains(' ', StringComparison.Ordinal) || !span.Contains('/', StringComparison.Ordinal) || span.StartsWith('/'))
            return null;
        var first = span.Split('/')[0];
        return first == ".." || TopLevel.Contains(first) ? span : null;
    }

    /// <summary>Folders .gitignore names (data/, bin/, obj/ …): what is made at run or build time, not kept in the repository.</summary>
    static readonly string[] Ignored = [.. Repository.Read(".gitignore").Split('\n').Select(l => l.Trim()).Where(l => l.EndsWith('/') && !l.StartsWith('#')).Select(l => l.Trim('/'))];

    /// <summary>Exists, with <c>*</c> and <c>NNNN</c> as wildcards, or lies in an ignored output folder; never outside the repository.</summary>
    static bool PathExists(string path)
    {
        var full = Repository.Path(path.TrimEnd('/'));
        if (!full.StartsWith(Repository.Root, StringComparison.Ordinal))
            return false;
        var segments = path.Split('/');
        if (segments.Length > 1 && segments[..^1].Any(Ignored.Contains) && Directory.Exists(Repository.Path(segments[0])))
            return true;
        if (!path.Contains('*', StringComparison.Ordinal) && !path.Contains("NNNN", StringComparison.Ordinal))
            return File.Exists(full) || Directory.Exists(full);
        var folder = Path.GetDirectoryName(full)!;
        var pattern = "^" + Regex.Escape(Path.GetFileName(full)).Replace("\\*", ".*", StringComparison.Ordinal).Replace("NNNN", @"\d{4}", StringComparison.Ordinal).Replace("name", @"\w+", StringComparison.Ordinal) + "$";
        return Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any(e => Regex.IsMatch(Path.GetFileName(e), pattern));
    }

    /// <summary>CamelCase with at least two humps (WriteQueue, IWriteHook): a name, not a word.</summary>
    static bool IsCompound(string name) => name.Count(char.IsUpper) >= 2 && name.Any(char.IsLower);

    static readonly Assembly[] Pulse = [typeof(Program).Assembly, typeof(DocReferencesTests).Assembly, Assembly.Load("VendorApp"),
        typeof(global::Pulse.Client.PulseOptions).Assembly, Assembly.Load("Pulse.Client.AspNetCore")];

    static bool NameExists(string type, string member)
    {
        var pulse = Pulse.SelectMany(a => a.GetTypes()).Where(t => t.Name.Split('`')[0] == type).ToList();
        if (pulse.Count > 0)
            return member.Length == 0 || pulse.Any(t => t.GetMember(member, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance).Length > 0);
        return OtherNames.Value.Contains(type);
    }

    /// <summary>Type and method names of every assembly the tests run with (framework, packages), members of Pulse's types, and the MSBuild names (properties, items, targets) of the repository's build files.</summary>
    static readonly Lazy<HashSet<string>> OtherNames = new(() =>
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var folders = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(object).Assembly.Location)!, Path.GetDirectoryName(typeof(Microsoft.AspNetCore.Builder.WebApplication).Assembly.Location)! };
        foreach (var dll in folders.Distinct().SelectMany(f => Directory.EnumerateFiles(f, "*.dll")))
        {
            try
            {
                using var stream = File.OpenRead(dll);
                using var pe = new PEReader(stream);
                if (!pe.HasMetadata)
                    continue;
                var reader = pe.GetMetadataReader();
                foreach (var handle in reader.TypeDefinitions)
                    names.Add(reader.GetString(reader.GetTypeDefinition(handle).Name).Split('`')[0]);
                foreach (var handle in reader.MethodDefinitions)
                    names.Add(reader.GetString(reader.GetMethodDefinition(handle).Name));
            }
            catch (BadImageFormatException)
            {
            }
        }
        foreach (var member in Pulse.SelectMany(a => a.GetTypes()).SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)))
            names.Add(member.Name);
        foreach (var build in Directory.EnumerateFiles(Repository.Root, "*.*", SearchOption.AllDirectories).Where(f => Regex.IsMatch(f, @"\.(props|csproj)$") && !f.Contains("/obj/", StringComparison.Ordinal)))
            foreach (Match element in Regex.Matches(File.ReadAllText(build), @"<(\w+)|\bName=""(\w+)"""))
                names.Add(element.Groups[1].Success ? element.Groups[1].Value : element.Groups[2].Value);
        return names;
    });

    static readonly Lazy<HashSet<string>> FileNames = new(() =>
        [.. Directory.EnumerateFiles(Repository.Root, "*", SearchOption.AllDirectories)
            .Where(f => !Regex.IsMatch(f.Replace('\\', '/'), "/(bin|obj|\\.git)/")).Select(Path.GetFileName).OfType<string>()]);

    /// <summary>Every setting Pulse reads: the properties of its options classes under their <c>Section</c>, and the keys of appsettings*.json.</summary>
    static readonly Lazy<HashSet<string>> Settings = new(() =>
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in Pulse.SelectMany(a => a.GetTypes()))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() is not string section)
                continue;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                keys.Add($"{section}:{property.Name}");
        }
        foreach (var file in Directory.EnumerateFiles(Repository.Path("api"), "appsettings*.json"))
            Flatten(JsonDocument.Parse(File.ReadAllText(file)).RootElement, "", keys);
        return keys;
    });

    static void Flatten(JsonElement element, string prefix, HashSet<string> keys)
    {
        if (element.ValueKind != JsonValueKind.Object)
            return;
        foreach (var property in element.EnumerateObject())
        {
            var key = prefix.Length == 0 ? property.Name : $"{prefix}:{property.Name}";
            keys.Add(key);
            Flatten(property.Value, key, keys);
        }
    }
}
