package slice.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import slice.engine.Param;

/** Each optimiser against its update rule computed by hand in double precision, and resumability. */
class OptimizerTest {
    private static Param param(float w, float g) {
        Param p = Param.trainable("p", 1);
        p.value.data[0] = w;
        p.grad.data[0] = g;
        return p;
    }

    @Test
    void sgdWithMomentumAndNesterov() {
        Param plain = param(1f, 0.5f), classical = param(1f, 0.5f), nesterov = param(1f, 0.5f);
        Sgd sgd = new Sgd(LrSchedule.constant(0.1f), 0f, false, 0f);
        Sgd mom = new Sgd(LrSchedule.constant(0.1f), 0.9f, false, 0f);
        Sgd nag = new Sgd(LrSchedule.constant(0.1f), 0.9f, true, 0f);
        for (int i = 0; i < 2; i++) {
            sgd.step(List.of(plain));
            mom.step(List.of(classical));
            nag.step(List.of(nesterov));
        }
        // constant gradient 0.5: v1 = 0.5, v2 = 0.95
        assertEquals(1 - 0.1 * 0.5 * 2, plain.value.data[0], 1e-6);
        assertEquals(1 - 0.1 * (0.5 + 0.95), classical.value.data[0], 1e-6);
        assertEquals(1 - 0.1 * (0.5 + 0.9 * 0.5) - 0.1 * (0.5 + 0.9 * 0.95), nesterov.value.data[0], 1e-6);
    }

    @Test
    void sgdWeightDecayIsL2() {
        Param p = param(2f, 0f);
        new Sgd(LrSchedule.constant(0.1f), 0f, false, 0.01f).step(List.of(p));
        assertEquals(2 - 0.1 * 0.01 * 2, p.value.data[0], 1e-7);
    }

    @Test
    void adamFirstStepsMatchTheFormula() {
        Param p = param(1f, 0f);
        Adam adam = Adam.adam(LrSchedule.constant(0.01f), 0f);
        double w = 1, m = 0, v = 0;
        float[] grads = {0.3f, -0.2f, 0.05f};
        for (int t = 1; t <= grads.length; t++) {
            p.grad.data[0] = grads[t - 1];
            adam.step(List.of(p));
            m = 0.9 * m + 0.1 * grads[t - 1];
            v = 0.999 * v + 0.001 * grads[t - 1] * grads[t - 1];
            w -= 0.01 * (m / (1 - Math.pow(0.9, t))) / (Math.sqrt(v / (1 - Math.pow(0.999, t))) + 1e-7);
            assertEquals(w, p.value.data[0], 1e-6, "step " + t);
        }
    }

    @Test
    void adamWDecaysIndependentlyOfTheGradientScale() {
        Param coupled = param(1f, 0f), decoupled = param(1f, 0f);
        Adam.adam(LrSchedule.constant(0.1f), 0.5f).step(List.of(coupled));
        Adam.adamW(LrSchedule.constant(0.1f), 0.5f).step(List.of(decoupled));
        // zero gradient: AdamW shrinks w by lr·λ·w = 0.05; Adam normalises the L2 term away to a full lr step
        assertEquals(0.95, decoupled.value.data[0], 1e-6);
        assertEquals(0.9, coupled.value.data[0], 1e-5);
    }

    @Test
    void schedulesFollowTheirFormulas() {
        assertEquals(0.025f, LrSchedule.step(0.1f, 10, 0.5f).lr(25), 1e-9f);
        LrSchedule cos = LrSchedule.cosine(1f, 0f, 100);
        assertEquals(1f, cos.lr(0), 1e-7f);
        assertEquals(0.5f, cos.lr(50), 1e-6f);
        assertEquals(0f, cos.lr(100), 1e-7f);
        assertEquals(0f, cos.lr(1000), 1e-7f);
        LrSchedule warm = cos.withWarmup(4);
        assertEquals(0.25f, warm.lr(0), 1e-7f);
        assertEquals(1f, warm.lr(3), 1e-7f);
        assertEquals(0.5f, warm.lr(54), 1e-6f);
    }

    @Test
    void restoredStateContinuesExactly() {
        Param a = param(1f, 0f), b = param(1f, 0f);
        Adam first = Adam.adamW(LrSchedule.cosine(0.01f, 0f, 10), 0.01f);
        float[] grads = {0.3f, -0.2f, 0.05f, 0.7f, -0.1f};
        for (int t = 0; t < 3; t++) {
            a.grad.data[0] = grads[t];
            first.step(List.of(a));
        }
        b.value.data[0] = a.value.data[0];
        Adam resumed = Adam.adamW(LrSchedule.cosine(0.01f, 0f, 10), 0.01f);
        resumed.loadState(first.state());
        assertEquals(3, resumed.iterations());
        for (int t = 3; t < 5; t++) {
            a.grad.data[0] = grads[t];
            b.grad.data[0] = grads[t];
            first.step(List.of(a));
            resumed.step(List.of(b));
        }
        assertArrayEquals(a.value.data, b.value.data);
    }
}
