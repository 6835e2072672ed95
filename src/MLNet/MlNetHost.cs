using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Mlp.MLNet;

/// <summary>
/// The MLContext services ML.NET keeps internal to its own trainers, reached in this one place: the environment behind
/// a trainers catalog (whose host gives the context's seeded random and its <c>Log</c> channel), and cancellation
/// (<c>MLContext.CancelExecution</c> and the host's <c>IsCanceled</c>). Checked by the tests against ML.NET 5.
/// </summary>
internal static class MlNetHost
{
    private const string Hint = "Mlp.MLNet needs ML.NET 5's MLContext internals ({0}); this ML.NET version does not have them.";

    /// <summary>The environment (the MLContext) behind a catalog of trainers.</summary>
    public static IHostEnvironment Environment(object catalog)
    {
        var iface = catalog.GetType().GetInterfaces().FirstOrDefault(i => i.FullName == "Microsoft.ML.Data.IInternalCatalog");
        return iface?.GetProperty("Environment")?.GetValue(catalog) as IHostEnvironment
            ?? throw new NotSupportedException(string.Format(System.Globalization.CultureInfo.InvariantCulture, Hint, "IInternalCatalog.Environment"));
    }

    /// <summary>True once <c>CancelExecution</c> was called on the context <paramref name="host"/> belongs to.</summary>
    public static bool IsCanceled(IHost host) => Cancelable(host).GetProperty("IsCanceled")!.GetValue(host) is true;

    /// <summary>Calls the context's internal <c>CancelExecution</c>.</summary>
    public static void Cancel(MLContext context)
    {
        var m = typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes)
            ?? throw new NotSupportedException(string.Format(System.Globalization.CultureInfo.InvariantCulture, Hint, "MLContext.CancelExecution"));
        m.Invoke(context, null);
    }

    private static Type Cancelable(IHost host) =>
        host.GetType().GetInterfaces().FirstOrDefault(i => i.FullName == "Microsoft.ML.Runtime.ICancelable")
        ?? throw new NotSupportedException(string.Format(System.Globalization.CultureInfo.InvariantCulture, Hint, "ICancelable"));
}
