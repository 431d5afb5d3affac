using System.Reflection;
using System.Reflection.Emit;
using Frugal.Models;

namespace Frugal.Tests;

/// <summary>
/// Core's folders (namespaces under <c>Frugal.</c>, sub-namespaces counted with their folder) depend on each
/// other one way only: read by reflection from every type's signatures and the IL of every method body.
/// </summary>
public sealed class CoreNamespaceDependencyTests
{
    private static readonly Assembly Core = typeof(ModelInfo).Assembly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    [Fact]
    public void Folders_OfCore_DependOnEachOtherWithoutCycles()
    {
        var edges = Dependencies();

        var cycles = StronglyConnected(edges).Where(c => c.Count > 1).ToList();

        Assert.True(cycles.Count == 0, string.Join('\n', cycles.Select(cycle =>
            "cycle " + string.Join(" ", cycle) + ": " + string.Join("; ", cycle.SelectMany(from => cycle
                .Where(to => edges[from].ContainsKey(to))
                .Select(to => $"{from} -> {to} ({edges[from][to]})"))))));
    }

    [Fact]
    public void Dependencies_OfCore_IncludeTheKnownArrows()
    {
        var edges = Dependencies();

        // The graph the cycle check walks is not empty: arrows every reader of the code knows are in it.
        Assert.True(edges["Inference"].ContainsKey("Models"), "Inference -> Models");
        Assert.True(edges["DependencyInjection"].ContainsKey("Inference"), "DependencyInjection -> Inference");
    }

    [Fact]
    public void StronglyConnected_GraphWithACycle_FindsItAndNothingElse()
    {
        var edges = new Dictionary<string, Dictionary<string, string>>
        {
            ["Models"] = [],
            ["Inference"] = new() { ["Models"] = "x" },
            ["Memory"] = new() { ["Scheduling"] = "x", ["Inference"] = "x" },
            ["Scheduling"] = new() { ["Diagnostics"] = "x" },
            ["Diagnostics"] = new() { ["Memory"] = "x" },
        };

        var cycle = Assert.Single(StronglyConnected(edges), c => c.Count > 1);

        Assert.Equal(["Diagnostics", "Memory", "Scheduling"], cycle.Order(StringComparer.Ordinal));
    }

    /// <summary>Folder → folder it uses → one type that uses it (for the message).</summary>
    private static Dictionary<string, Dictionary<string, string>> Dependencies()
    {
        var edges = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var type in Core.GetTypes())
        {
            var from = Folder(type);
            if (from is null)
            {
                continue;
            }

            var targets = edges.TryGetValue(from, out var known) ? known : edges[from] = new(StringComparer.Ordinal);
            foreach (var used in UsedTypes(type).SelectMany(Expand))
            {
                if (Folder(used) is { } to && to != from)
                {
                    targets.TryAdd(to, type.FullName ?? type.Name);
                }
            }
        }

        foreach (var folder in edges.Values.SelectMany(e => e.Keys).ToList())
        {
            edges.TryAdd(folder, new(StringComparer.Ordinal));
        }

        return edges;
    }

    /// <summary>The folder of a Core type: the namespace part after <c>Frugal.</c> up to the next dot; "(root)" for <c>Frugal</c>.</summary>
    private static string? Folder(Type type)
    {
        if (type.Assembly != Core || type.Namespace is not { } ns || !(ns == "Frugal" || ns.StartsWith("Frugal.", StringComparison.Ordinal)))
        {
            return null;
        }

        return ns == "Frugal" ? "(root)" : ns["Frugal.".Length..].Split('.')[0];
    }

    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var inner in Expand(type.GetElementType()!))
            {
                yield return inner;
            }

            yield break;
        }

        yield return type.IsGenericType && !type.IsGenericTypeDefinition ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
        {
            foreach (var inner in type.GetGenericArguments().SelectMany(Expand))
            {
                yield return inner;
            }
        }
    }

    private static IEnumerable<Type> UsedTypes(Type type)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var used in type.GetInterfaces())
        {
            yield return used;
        }

        foreach (var field in type.GetFields(All))
        {
            yield return field.FieldType;
        }

        foreach (var property in type.GetProperties(All))
        {
            yield return property.PropertyType;
        }

        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }

            foreach (var local in method.GetMethodBody()?.LocalVariables ?? [])
            {
                yield return local.LocalType;
            }

            foreach (var used in BodyTypes(method))
            {
                yield return used;
            }
        }
    }

    /// <summary>The types, and the declaring types of the fields and methods, that a method's IL names.</summary>
    private static IEnumerable<Type> BodyTypes(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            var operandSize = OperandSize(opCode.OperandType, il, at);
            if (opCode.OperandType is OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok)
            {
                var member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                if (member is Type used)
                {
                    yield return used;
                }
                else if (member?.DeclaringType is { } owner)
                {
                    yield return owner;
                }
            }

            at += operandSize;
        }
    }

    private static int OperandSize(OperandType operand, byte[] il, int at) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };

    /// <summary>Tarjan's strongly connected components of the folder graph.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var components = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var next in edges[node].Keys)
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string popped;
                do
                {
                    popped = stack.Pop();
                    component.Add(popped);
                }
                while (popped != node);
                components.Add(component);
            }
        }

        foreach (var node in edges.Keys.Where(n => !index.ContainsKey(n)).ToList())
        {
            Visit(node);
        }

        return components;
    }
}
