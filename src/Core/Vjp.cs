namespace Mlp;

/// <summary>
/// A forward result and its vector-Jacobian product (JAX: <c>y, f_vjp = jax.vjp(f, x)</c>).
/// </summary>
/// <typeparam name="TGrads">What backward returns: a tensor for one-input layers, a named record otherwise.</typeparam>
/// <param name="Output">The layer's output.</param>
/// <param name="Backward">
/// Maps the gradient of the loss with respect to <paramref name="Output"/> (<c>dy</c>, same shape) to the gradients
/// with respect to the inputs. Pure: calling it twice with the same <c>dy</c> gives the same result.
/// </param>
public readonly record struct Vjp<TGrads>(Tensor Output, Func<Tensor, TGrads> Backward);
