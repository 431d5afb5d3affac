using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LLama.Native;

namespace Frugal.Inference;

/// <summary>
/// llama.cpp's abort callback for one context: ggml polls it between graph nodes, so cancelling the
/// current token stops a long prompt evaluation within milliseconds, where LLamaSharp's own async
/// decode cannot interrupt the native call at all.
/// </summary>
/// <remarks>
/// The callback is a static unmanaged-callable function (nothing for the GC to collect); the signal is
/// reached through a GC handle that lives as long as the context.
/// </remarks>
internal sealed unsafe class AbortSignal : IDisposable
{
    private GCHandle _self;

    private AbortSignal() => _self = GCHandle.Alloc(this);

    /// <summary>
    /// When to abort the running decode: for a decode shared by several requests, only when every one of
    /// them is cancelled. Null when idle; it must not throw (it runs on ggml's threads).
    /// </summary>
    public Func<bool>? Condition { get; set; }

    /// <summary>Creates a signal and installs it as <paramref name="context"/>'s abort callback.</summary>
    public static AbortSignal InstallOn(SafeLLamaContextHandle context)
    {
        var signal = new AbortSignal();
        delegate* unmanaged[Cdecl]<IntPtr, byte> callback = &ShouldAbort;
        NativeApi.llama_set_abort_callback(context, (IntPtr)callback, GCHandle.ToIntPtr(signal._self));
        return signal;
    }

    public void Dispose()
    {
        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static byte ShouldAbort(IntPtr data)
    {
        var signal = GCHandle.FromIntPtr(data).Target as AbortSignal;
        return signal is not null && signal.Condition?.Invoke() == true ? (byte)1 : (byte)0;
    }
}
