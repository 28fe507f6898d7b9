using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary>
/// The layout of Pulse.Api that docs/architecture.md describes: features depend on each other one
/// way only (read from the compiled code, so fully qualified names and lambdas count too).
/// </summary>
public sealed class LayoutTests
{
    [Test]
    public void Folders_DependOnEachOtherOneWayOnly()
    {
        var graph = FolderDependencies();
        var cycles = new List<string>();
        foreach (var (from, targets) in graph)
            foreach (var to in targets)
                if (Reaches(graph, to, from, out var path))
                    cycles.Add($"{from} -> {string.Join(" -> ", path)}");
        Assert.That(cycles, Is.Empty,
            "a folder depends on one that depends back on it; move the shared part down (or raise an event the other folder handles):\n"
            + string.Join("\n", Describe(graph)));
    }

    /// <summary>
    /// Every table has one folder whose store holds its SQL: only that folder writes it, and other
    /// folders read it only where docs/architecture.md ("Who owns which table") says they join it.
    /// </summary>
    [Test]
    public void EachTable_IsWrittenByItsOwner_AndReadOnlyWhereTheDocsSay()
    {
        var (owners, readers) = Ownership();
        var tables = Migrations().ToList();
        Assert.That(tables.Except(owners.Keys), Is.Empty, "a table of the migrations has no owner in docs/architecture.md");
        var wrong = new List<string>();
        foreach (var (folder, file, table, write) in SqlUses(tables))
        {
            if (owners[table] == folder)
                continue;
            if (write)
                wrong.Add($"{file} writes {table}, which {owners[table]} owns: call its store");
            else if (!readers.Contains((folder, table)))
                wrong.Add($"{file} reads {table}, which {owners[table]} owns: call its store (or list the join in docs/architecture.md)");
        }
        Assert.That(wrong, Is.Empty);
    }

    /// <summary>The table of docs/architecture.md: table → owning folder, and (folder, table) joins allowed to read.</summary>
    static (Dictionary<string, string> Owners, HashSet<(string, string)> Readers) Ownership()
    {
        var doc = Repository.Read("docs/architecture.md");
        var start = doc.IndexOf("## Who owns which table", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), "docs/architecture.md has no \"Who owns which table\" section");
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var readers = new HashSet<(string, string)>();
        foreach (var line in doc[start..].Split('\n').Skip(1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Skip(2))
        {
            var cells = line.Split('|')[1..^1];
            var folder = Regex.Match(cells[0], "`api/([A-Za-z]+)`").Groups[1].Value;
            foreach (Match m in Regex.Matches(cells[2], "`([a-z_]+)`"))
                Assert.That(owners.TryAdd(m.Groups[1].Value, folder), Is.True, $"{m.Groups[1].Value} has two owners");
            foreach (Match m in Regex.Matches(cells[3], "`([a-z_]+)`"))
                readers.Add((folder, m.Groups[1].Value));
        }
        return (owners, readers);
    }

    static IEnumerable<string> Migrations() =>
        Directory.EnumerateFiles(Repository.Path("api/Storage/Migrations"), "*.sql")
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"CREATE TABLE (\w+)").Select(m => m.Groups[1].Value))
            .Where(t => !t.EndsWith("_new", StringComparison.Ordinal))
            .Distinct();

    /// <summary>Each place C# code of api/ names a table in SQL: its folder, file, the table and whether it writes it.</summary>
    static IEnumerable<(string Folder, string File, string Table, bool Write)> SqlUses(IReadOnlyList<string> tables)
    {
        var pattern = new Regex(@"\b(DELETE\s+FROM|INSERT\s+INTO|UPDATE|FROM|JOIN)\s+(" + string.Join('|', tables) + @")\b");
        foreach (var file in Directory.EnumerateFiles(Repository.Path("api"), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Repository.Path("api"), file).Replace('\\', '/');
            if (Regex.IsMatch(relative, "^(bin|obj)/") || !relative.Contains('/', StringComparison.Ordinal))
                continue;
            foreach (Match m in pattern.Matches(File.ReadAllText(file)))
                yield return (relative.Split('/')[0], "api/" + relative, m.Groups[2].Value, !m.Groups[1].Value.StartsWith("FROM", StringComparison.Ordinal)
                    && !m.Groups[1].Value.StartsWith("JOIN", StringComparison.Ordinal));
        }
    }

    /// <summary>Folder of api/ (the namespace under Pulse.Api) → the folders its types use.</summary>
    internal static SortedDictionary<string, SortedSet<string>> FolderDependencies()
    {
        var graph = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var type in typeof(Pulse.Api.Storage.Db).Assembly.GetTypes())
        {
            if (Folder(type) is not { } from)
                continue;
            var targets = graph.TryGetValue(from, out var set) ? set : graph[from] = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var used in Referenced(type))
                if (Folder(used) is { } to && to != from)
                    targets.Add(to);
        }
        return graph;
    }

    static IEnumerable<string> Describe(SortedDictionary<string, SortedSet<string>> graph) =>
        graph.Select(kv => $"  {kv.Key} -> {string.Join(", ", kv.Value)}");

    static bool Reaches(SortedDictionary<string, SortedSet<string>> graph, string start, string goal, out List<string> path)
    {
        var previous = new Dictionary<string, string?> { [start] = null };
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var at))
        {
            if (at == goal)
            {
                path = [];
                for (string? p = at; p is not null; p = previous[p])
                    path.Insert(0, p);
                return true;
            }
            foreach (var next in graph.GetValueOrDefault(at) ?? [])
                if (previous.TryAdd(next, at))
                    queue.Enqueue(next);
        }
        path = [];
        return false;
    }

    static string? Folder(Type type)
    {
        var ns = type.Namespace;
        if (ns is null || !ns.StartsWith("Pulse.Api.", StringComparison.Ordinal))
            return null;
        var rest = ns["Pulse.Api.".Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    /// <summary>Every type a type names: in its signatures, attributes and the IL of its methods.</summary>
    static IEnumerable<Type> Referenced(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || !found.Add(t))
                return;
            if (t.HasElementType)
                Add(t.GetElementType());
            if (t.IsGenericType)
                foreach (var a in t.GetGenericArguments())
                    Add(a);
        }
        void AddMember(MemberInfo? m)
        {
            switch (m)
            {
                case Type t:
                    Add(t);
                    break;
                case MethodBase method:
                    Add(method.DeclaringType);
                    if (method is MethodInfo info)
                    {
                        Add(info.ReturnType);
                        if (info.IsGenericMethod)
                            foreach (var a in info.GetGenericArguments())
                                Add(a);
                    }
                    break;
                case FieldInfo field:
                    Add(field.DeclaringType);
                    Add(field.FieldType);
                    break;
            }
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces())
            Add(i);
        foreach (var a in type.GetCustomAttributesData())
            Add(a.AttributeType);
        foreach (var f in type.GetFields(Declared))
            Add(f.FieldType);
        foreach (var p in type.GetProperties(Declared))
            Add(p.PropertyType);
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo mi)
                Add(mi.ReturnType);
            foreach (var p in method.GetParameters())
                Add(p.ParameterType);
            foreach (var a in method.GetCustomAttributesData())
                Add(a.AttributeType);
            var body = method.GetMethodBody();
            if (body is null)
                continue;
            foreach (var local in body.LocalVariables)
                Add(local.LocalType);
            foreach (var token in Tokens(body.GetILAsByteArray() ?? []))
            {
                try
                {
                    AddMember(method.Module.ResolveMember(token,
                        type.IsGenericType ? type.GetGenericArguments() : null,
                        method.IsGenericMethod ? method.GetGenericArguments() : null));
                }
                catch (ArgumentException)
                {
                    // A token of another kind (a signature); it names no member.
                }
            }
        }
        return found;
    }

    static readonly Dictionary<short, OpCode> OpCodeByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The metadata tokens of the member, type and field operands in a method body.</summary>
    static IEnumerable<int> Tokens(byte[] il)
    {
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i++];
            if (value == 0xFE)
                value = (short)(0xFE00 | il[i++]);
            var op = OpCodeByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    yield return BitConverter.ToInt32(il, i);
                    i += 4;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
